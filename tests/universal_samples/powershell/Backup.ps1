#Requires -Version 7.0
using namespace System.IO
Import-Module -Name Az.Storage
. "$PSScriptRoot/common.ps1"

$ErrorActionPreference = 'Stop'
$DefaultRetention = 14

enum BackupKind {
    Full
    Incremental
}

class BackupJob {
    [string] $Source
    [BackupKind] $Kind = [BackupKind]::Full
    hidden [datetime] $StartedAt

    BackupJob([string] $source) {
        $this.Source = $source
    }

    [string] ArchiveName() {
        return '{0}-{1:yyyyMMdd}.zip' -f (Split-Path $this.Source -Leaf), $this.StartedAt
    }

    [void] Run([string] $destination) {
        $this.StartedAt = Get-Date
        Compress-Archive -Path $this.Source -DestinationPath (Join-Path $destination $this.ArchiveName())
    }
}

<#
.SYNOPSIS
Removes archives older than the retention period.
#>
function Remove-OldBackup {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [string] $Path,
        [int] $RetentionDays = $DefaultRetention
    )
    $limit = (Get-Date).AddDays(-$RetentionDays)
    Get-ChildItem -Path $Path -Filter '*.zip' |
        Where-Object { $_.LastWriteTime -lt $limit } |
        ForEach-Object {
            if ($PSCmdlet.ShouldProcess($_.Name)) { Remove-Item $_.FullName }
        }
}

function Invoke-Backup([string[]] $Sources, [string] $Destination, [switch] $Prune) {
    foreach ($source in $Sources) {
        $job = [BackupJob]::new($source)
        $job.Run($Destination)
    }
    if ($Prune) { Remove-OldBackup -Path $Destination }
}

Invoke-Backup -Sources 'C:\Data', 'C:\Config' -Destination 'D:\Backups' -Prune
