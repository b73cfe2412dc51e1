# Build and development environment of the ledger service.
{ pkgs ? import <nixpkgs> { }, lib ? pkgs.lib, withDocs ? false }:

let
  version = "0.7.1";

  src = lib.cleanSource ./.;

  # Wraps a binary so that it finds its configuration.
  wrapWithConfig = name: drv:
    pkgs.writeShellScriptBin name ''
      export LEDGER_CONFIG=${./config.toml}
      exec ${drv}/bin/${name} "$@"
    '';

  mkCheck = { name, command }: pkgs.runCommand "check-${name}" { } ''
    ${command}
    touch $out
  '';

  inherit (pkgs) rustPlatform;
in
rec {
  ledger = rustPlatform.buildRustPackage {
    pname = "ledger";
    inherit version src;
    cargoLock.lockFile = ./Cargo.lock;
    doCheck = true;
    meta = {
      description = "A double-entry ledger";
      license = lib.licenses.mit;
      mainProgram = "ledgerd";
    };
  };

  ledger-wrapped = wrapWithConfig "ledgerd" ledger;

  checks = {
    format = mkCheck { name = "format"; command = "cargo fmt --check"; };
  };

  shell = pkgs.mkShell {
    inputsFrom = [ ledger ];
    packages = with pkgs; [ rust-analyzer cargo-watch ] ++ lib.optional withDocs mdbook;
  };
}
