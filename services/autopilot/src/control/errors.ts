// Errors a ControlActions implementation throws for bad client input. The control server answers
// them with 400 and their message; any other error is a 500.

/** Bad input from a control client: answered with HTTP 400. */
export class ControlInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlInputError';
  }
}

/** putMetric with a name that no telemetry.metrics entry declares. */
export class UnknownMetricError extends ControlInputError {
  readonly metric: string;
  readonly declared: readonly string[];

  constructor(metric: string, declared: readonly string[]) {
    const known =
      declared.length > 0 ? `declared metrics: ${declared.join(', ')}` : 'no metrics are declared';
    super(`unknown metric "${metric}" (${known})`);
    this.name = 'UnknownMetricError';
    this.metric = metric;
    this.declared = declared;
  }
}
