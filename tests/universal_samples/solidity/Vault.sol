// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @notice A vault that lets depositors lock tokens for a while.
interface IVault {
    event Deposited(address indexed account, uint256 amount);

    function deposit(uint256 amount) external;
    function balanceOf(address account) external view returns (uint256);
}

library Locks {
    struct Lock {
        uint256 amount;
        uint64 until;
    }

    function expired(Lock memory lock) internal view returns (bool) {
        return block.timestamp >= lock.until;
    }
}

contract Vault is IVault, Ownable {
    using Locks for Locks.Lock;

    enum Status { Open, Paused, Closed }

    error StillLocked(uint64 until);

    IERC20 public immutable token;
    uint64 public constant LOCK_PERIOD = 7 days;
    Status public status = Status.Open;
    mapping(address => Locks.Lock) private locks;

    modifier whenOpen() {
        require(status == Status.Open, "vault not open");
        _;
    }

    constructor(IERC20 token_) Ownable(msg.sender) {
        token = token_;
    }

    function deposit(uint256 amount) external whenOpen {
        Locks.Lock storage lock = locks[msg.sender];
        lock.amount += amount;
        lock.until = uint64(block.timestamp) + LOCK_PERIOD;
        token.transferFrom(msg.sender, address(this), amount);
        emit Deposited(msg.sender, amount);
    }

    function withdraw() external {
        Locks.Lock memory lock = locks[msg.sender];
        if (!lock.expired()) revert StillLocked(lock.until);
        delete locks[msg.sender];
        token.transfer(msg.sender, lock.amount);
    }

    function balanceOf(address account) external view returns (uint256) {
        return locks[account].amount;
    }

    function setStatus(Status next) external onlyOwner {
        status = next;
    }

    receive() external payable {
        revert("no ether");
    }
}
