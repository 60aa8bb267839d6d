/**
 * What `history` and `status` say when the state file they looked for is not there. Run from a
 * shell, they resolve the state path without the service's environment, so the likeliest cause is
 * a daemon that keeps its state elsewhere: the line names the file read and how to point at another.
 */
export function missingStateFile(statePath: string): string {
  return (
    `no state file at ${statePath}: the daemon has not written one there. If it keeps its state ` +
    "elsewhere (the systemd unit uses /var/lib/authwatch/state.db), pass --state PATH or set AUTHWATCH_STATE"
  );
}
