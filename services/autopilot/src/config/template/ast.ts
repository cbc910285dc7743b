// Parse tree of a Go text/template, shaped like text/template/parse's nodes.
import type { Position } from './errors.ts';

export type Node =
  | { type: 'text'; text: string; pos: Position }
  | { type: 'action'; pipe: Pipeline; pos: Position }
  | ControlNode
  | { type: 'template'; name: string; pipe?: Pipeline; pos: Position }
  | { type: 'break' | 'continue'; pos: Position };

export interface ControlNode {
  type: 'if' | 'with' | 'range';
  pipe: Pipeline;
  list: Node[];
  elseList?: Node[];
  pos: Position;
}

export interface Pipeline {
  pos: Position;
  /** `$x = pipeline` (assign an existing variable) rather than `$x := pipeline` (declare). */
  isAssign: boolean;
  /** Declared/assigned variable names including `$`, e.g. ['$i', '$v']. */
  decl: string[];
  cmds: Command[];
}

export interface Command {
  pos: Position;
  args: Operand[];
}

export type Operand =
  | { type: 'dot'; pos: Position }
  /** `.A.B`: fields looked up from dot. */
  | { type: 'field'; names: string[]; pos: Position }
  /** `$x.A.B`: a variable, optionally followed by fields. */
  | { type: 'variable'; name: string; fields: string[]; pos: Position }
  | { type: 'identifier'; name: string; pos: Position }
  /** `(pipeline).A.B` */
  | { type: 'chain'; node: Operand; fields: string[]; pos: Position }
  | { type: 'pipe'; pipe: Pipeline; pos: Position }
  | { type: 'string'; value: string; pos: Position }
  | { type: 'number'; value: number; text: string; pos: Position }
  | { type: 'bool'; value: boolean; pos: Position }
  | { type: 'nil'; pos: Position };

export interface Tree {
  name: string;
  root: Node[];
  /** Templates declared with {{define}} or {{block}}, by name. */
  defines: Map<string, Node[]>;
}

/** How an operand is shown in error messages. */
export function describeOperand(op: Operand): string {
  switch (op.type) {
    case 'string':
      return JSON.stringify(op.value);
    case 'number':
      return op.text;
    case 'bool':
      return String(op.value);
    case 'dot':
      return '.';
    case 'variable':
      return op.name;
    default:
      return op.type;
  }
}
