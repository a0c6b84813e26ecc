// Checked on the raw text before JSON.parse, in one loop: what reads the parsed value (validation, copies) recurses.
import { DomainError, invalidArgument } from '../../domain/errors.js';

export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LETTER_U = 0x75;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

export interface JsonTextShape {
  /** The text opens more than maxDepth arrays or objects inside one another (the scan stops there). */
  readonly tooDeep: boolean;
  /** A string (value or key) holds the escape \u0000. */
  readonly nul: boolean;
}

/** Measures nesting and finds NUL escapes in JSON text, iteratively; malformed text is left to JSON.parse. */
export function scanJsonText(text: string, maxDepth = MAX_JSON_DEPTH): JsonTextShape {
  let depth = 0;
  let nul = false;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === QUOTE) inString = false;
      else if (c === BACKSLASH) {
        // An escape is two characters (or six, \uXXXX): skipping the one after the backslash keeps "\\u0000",
        // an escaped backslash followed by text, from being read as a NUL.
        if (text.charCodeAt(i + 1) === LETTER_U && text.startsWith('0000', i + 2)) nul = true;
        i++;
      }
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) return { tooDeep: true, nul };
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return { tooDeep: false, nul };
}

/** Why a JSON body is refused before it is parsed, if it is. */
export function jsonTextRefusal(text: string, field = 'body'): DomainError | undefined {
  const shape = scanJsonText(text);
  if (shape.tooDeep) return invalidArgument(field, `JSON must not be nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (shape.nul) return nulRefusal(field);
  return undefined;
}

/** No text we store may carry a NUL: PostgreSQL cannot hold one, and no client means it. */
export const nulRefusal = (field: string): DomainError =>
  new DomainError('INVALID_ARGUMENT', 'text must not contain the NUL character (\\u0000)', {
    fieldViolations: [{ field, description: 'must not contain the NUL character (\\u0000)' }],
  });
