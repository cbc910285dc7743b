// Template errors always carry where they happened, so a config or nginx template author can jump there.

export interface Position {
  /** Template name (usually the file path). */
  name: string;
  line: number;
  col: number;
  offset: number;
}

export class TemplateError extends Error {
  readonly pos: Position;
  /** The message without the position prefix. */
  readonly reason: string;

  constructor(reason: string, pos: Position) {
    super(`${pos.name}:${pos.line}:${pos.col}: ${reason}`);
    this.name = 'TemplateError';
    this.pos = pos;
    this.reason = reason;
  }
}

/** Thrown by template functions to report a problem; the engine adds the position of the call. */
export class TemplateFuncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateFuncError';
  }
}
