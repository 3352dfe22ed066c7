const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * Whether JSON text nests objects and arrays deeper than `max` levels, read without parsing it.
 * `JSON.parse` copes with any depth but `JSON.stringify` overflows the stack on deep values, so a
 * frame that would be echoed or fanned out is refused before it is parsed.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  // Each level costs at least one character: short texts cannot be too deep.
  if (text.length <= max) return false;
  // Nor can texts with no more than `max` brackets in all, counted natively (most frames: a few).
  if (bracketsAtMost(text, max)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === BACKSLASH) i++;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) {
      inString = true;
    } else if (char === OPEN_OBJECT || char === OPEN_ARRAY) {
      if (++depth > max) return true;
    } else if (char === CLOSE_OBJECT || char === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

/** Whether the text holds at most `max` opening brackets, strings included (so it may overcount, never under). */
function bracketsAtMost(text: string, max: number): boolean {
  let count = 0;
  for (let at = text.indexOf('{'); at !== -1; at = text.indexOf('{', at + 1)) if (++count > max) return false;
  for (let at = text.indexOf('['); at !== -1; at = text.indexOf('[', at + 1)) if (++count > max) return false;
  return true;
}
