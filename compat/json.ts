// JSON as Discord clients send it. Libraries such as discord.py send snowflakes as JSON integers
// (`"guild_id": 1234567890123456789`), which JSON.parse would round to the nearest double; Discord
// accepts them. Integers beyond Number.MAX_SAFE_INTEGER are therefore kept as their exact decimal
// digits (a string, the form every id takes in this API); every other number is parsed as usual.
// The one parser of the REST body reader and the gateway decoder.
import { parse } from 'lossless-json';

const INTEGER = /^-?\d+$/;

function parseNumber(digits: string): number | string {
  const n = Number(digits);
  return INTEGER.test(digits) && !Number.isSafeInteger(n) ? digits : n;
}

/** Last one wins, as with JSON.parse (lossless-json would throw). */
const onDuplicateKey = ({ newValue }: { newValue: unknown }) => newValue;

/** Parses JSON text; throws (SyntaxError, or RangeError for absurd nesting) on anything that is not JSON. */
export function parseClientJson(text: string): unknown {
  return parse(text, null, { parseNumber, onDuplicateKey });
}
