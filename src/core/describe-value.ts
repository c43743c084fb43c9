/**
 * A short, safe description of an untrusted value, for the detail of a
 * rejection. JSON.stringify, String() and template literals recurse into
 * arrays, so a value such as 10,000 nested arrays (a 20 KB relay frame)
 * throws RangeError from the very line meant to reject it (issue 23, "A
 * parser that throws"). This never recurses, never throws, and quotes at
 * most `maxChars` of a string, so a hostile value cannot bloat logs either.
 */
export function describeValue(value: unknown, maxChars = 40): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > maxChars ? `${value.slice(0, maxChars)}…` : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? `an array of ${value.length}` : 'an object';
    default:
      return `a ${typeof value}`;
  }
}
