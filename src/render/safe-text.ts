// Text from the report on a terminal. Every string in a report may be attacker-written: a look-alike chooses its
// own comm and argv, a pod its name, a host its paths. Written raw, ESC[2J clears the screen, OSC 52 writes the
// operator's clipboard, CSI (U+009B) does the same as ESC[ on terminals that honour C1, and a bidi override
// reorders a line so that it reads as something else. So every text output shows such characters as escapes:
// visible, copyable, and unable to act.
//
// Backslashes are left as they are: a string may contain the literal text "\x1b" and then look like an escaped
// ESC. That is ambiguous to read but harmless, and escaping every backslash would garble the regular expressions
// and Windows-style paths that evidence quotes.

/**
 * C0 controls (newline and tab included: a cell is one line), DEL, C1 controls, the bidi embeddings, overrides,
 * isolates and marks, and the Unicode line and paragraph separators.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** One visible escape per code point: \xHH for the 8-bit controls, \uHHHH for the rest. */
function escapeCodePoint(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = code.toString(16).padStart(code <= 0xff ? 2 : 4, '0');
  return code <= 0xff ? `\\x${hex}` : `\\u${hex}`;
}

/** The string with every unsafe code point replaced by its visible escape; other text is unchanged. */
export function safeText(text: string): string {
  return text.replace(UNSAFE, escapeCodePoint);
}

// JSON.stringify escapes C0 controls but leaves DEL, C1 and bidi characters raw, so a report piped to a
// terminal (`scan --format json`, a JSON log line) could still act on it. Those characters can only occur inside
// JSON strings, so replacing them with \uXXXX in the serialised text is lossless: a parser reads the same string.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** Serialised JSON with the characters JSON.stringify leaves raw escaped as \uXXXX (same value when parsed). */
export function terminalSafeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}
