"""Completion for PowerShell: a ``Register-ArgumentCompleter`` script block, with the
table as hashtables."""

from __future__ import annotations

from rolecall.core.completion.model import (
    Command,
    Hook,
    pq,
    tables,
)

# ---------------------------------------------------------------------------
# PowerShell
# ---------------------------------------------------------------------------
_PS_COMPLETER = r"""
$__rolecallComplete = {
    param([string[]]$Words, [string]$Current)
    $key = ''; $n = 0; $pending = $null; $config = $null; $credentials = $null; $want = $null
    for ($i = 0; $i -lt $Words.Count; $i++) {
        $w = $Words[$i]
        if ($pending) {
            if ($pending -eq '--config') { $config = $w }
            if ($pending -eq '--credentials') { $credentials = $w }
            $pending = $null; continue
        }
        if ($w -eq '--') {
            if ($__rolecallPos["$key $n"] -eq '@command') { $want = 'rest'; break }
            continue
        }
        if ($w -like '--*=*') {
            $parts = $w.Split('=', 2)
            if ($parts[0] -eq '--config') { $config = $parts[1] }
            if ($parts[0] -eq '--credentials') { $credentials = $parts[1] }
            continue
        }
        if ($w -like '-?*') {
            if ($__rolecallValue.ContainsKey("$key $w")) { $pending = $w }
            continue
        }
        $kind = $__rolecallPos["$key $n"]
        if ($kind -eq '@sub') { $key = ("$key $w").Trim(); $n = 0; continue }
        if ($kind -eq '@command') { $want = 'rest'; break }
        $n++
    }
    if ($want -eq 'rest') { return @() }
    $prefix = ''
    if ($pending) { $kind = $__rolecallValue["$key $pending"] }
    elseif ($Current -like '--*=*') {
        $parts = $Current.Split('=', 2); $prefix = $parts[0] + '='; $Current = $parts[1]
        $kind = $__rolecallValue["$key $($parts[0])"]
    }
    elseif ($Current -like '-*') {
        return @($__rolecallOpts[$key] -split ' ' | Where-Object { $_ -like "$Current*" })
    }
    else { $kind = $__rolecallPos["$key $n"] }
    $found = @()
    switch -Wildcard ($kind) {
        '@sub' { $found = $__rolecallSubs[$key] -split ' ' }
        '@profile' {
            $fileArgs = @()
            if ($config) { $fileArgs += @('--config', $config) }
            if ($credentials) { $fileArgs += @('--credentials', $credentials) }
            $found = @(& rolecall __complete profiles @fileArgs --cache @CACHE@ 2>$null)
        }
        '@*' { $found = @() }
        default { if ($kind) { $found = $kind -split '[ |]' } }
    }
    @($found | Where-Object { $_ -and $_ -like "$Current*" } | ForEach-Object { $prefix + $_ })
}

function __rolecallWords($ast, $cursor) {
    $words = @($ast.CommandElements | Where-Object { $_.Extent.EndOffset -lt $cursor } |
        ForEach-Object { $_.Extent.Text })
    $current = ''
    foreach ($e in $ast.CommandElements) {
        if ($e.Extent.StartOffset -le $cursor -and $e.Extent.EndOffset -ge $cursor) {
            $current = $e.Extent.Text
        }
    }
    if ($words.Count -gt 0 -and $words[-1] -eq $current) {
        $words = @($words | Select-Object -SkipLast 1)
    }
    return ,@($words, $current)
}

Register-ArgumentCompleter -Native -CommandName rolecall -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $pair = __rolecallWords $commandAst $cursorPosition
    $words = @($pair[0] | Select-Object -Skip 1)
    & $__rolecallComplete $words $wordToComplete | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
}
"""


def _ps_table(name: str, rows: list[tuple[str, str]]) -> str:
    body = "\n".join(f"    {pq(k)} = {pq(v)}" for k, v in rows)
    return f"${name} = @{{\n{body}\n}}"


def render_powershell(
    commands: list[Command], functions: tuple[str, ...], cache: str, hook: Hook
) -> str:
    del hook  # (PowerShell runs `rolecall __complete`: it passes native arguments its own way)
    rows = tables(commands)
    opts, values, positionals, subs = rows.options, rows.values, rows.positionals, rows.subcommands
    parts = [
        _ps_table("__rolecallOpts", opts),
        _ps_table("__rolecallValue", values),
        _ps_table("__rolecallPos", positionals),
        _ps_table("__rolecallSubs", subs),
        _PS_COMPLETER.replace("@CACHE@", pq(cache)),
    ]
    for name in functions:
        # the function's first parameter is the profile: its names are completed
        parts.append(
            f"Register-ArgumentCompleter -CommandName {name} -ParameterName Name -ScriptBlock {{\n"
            "    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBound)\n"
            "    & $__rolecallComplete @('env') $wordToComplete | ForEach-Object {\n"
            "        [System.Management.Automation.CompletionResult]::new($_, $_, "
            "'ParameterValue', $_)\n"
            "    }\n"
            "}"
        )
    return "\n".join(parts) + "\n"
