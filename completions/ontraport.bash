# bash completion for ontraport. The candidates come from the command itself
# (`ontraport __complete`), generated from the same table as --help and the
# man pages: commands, subcommands, flags, object type names, saved
# connection names, output formats.
_ontraport()
{
	local IFS=$'\n'
	COMPREPLY=($("${COMP_WORDS[0]}" __complete -- "$COMP_CWORD" "${COMP_WORDS[@]}" 2>/dev/null))
}
complete -o default -F _ontraport ontraport
