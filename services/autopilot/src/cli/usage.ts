// -help text: ContainerPilot's flags, in its words where they still fit, plus autopilot's additions.
export const USAGE = `Usage: autopilot [flags]

A ContainerPilot v3 compatible supervisor. Flags take one dash (Go style) or two.

  -config FILE       Configuration file (JSON5 or YAML, Go-template rendered).
                     Defaults to the CONTAINERPILOT environment variable.
  -validate          Check the configuration and quit: exit 0 when valid, otherwise print
                     file:line:col: message lines and exit 1. Nothing starts.
  -template          Render the configuration template and quit.
  -out FILE          Where -template writes the rendered file. Defaults to stdout ('-').
  -version           Show version identifier and quit.

Control a running autopilot through its control socket:
  -ping              Check that the control socket is up (prints "ok").
  -reload            Reload the configuration and restart every job with it.
  -maintenance enable|disable
                     Toggle maintenance mode (deregister from / re-register with Consul).
  -putenv KEY=VALUE  Set an environment variable for jobs started from now on (repeatable;
                     VALUE may contain '='; a bare KEY clears it).
  -putmetric NAME=NUMBER
                     Record a metric declared in telemetry.metrics (repeatable).

  The socket is $CONTAINERPILOT_SOCKET when set, else control.socket of the -config file
  (or $CONTAINERPILOT) when one is given, else /var/run/containerpilot.socket.

  -h, -help          Show this help.
`;
