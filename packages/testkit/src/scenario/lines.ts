import { isMap, isNode, isPair, isScalar, type Document, type LineCounter } from 'yaml';

/**
 * The 1-based line of the node at `path` in a parsed YAML (or JSON) document, or of
 * its nearest existing ancestor when the field is missing; for an unknown key, pass
 * it as `key` to get the key's own line. Null when the document has no positions.
 */
export function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[], key?: string): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
    if (!isNode(node)) continue;
    let offset = node.range?.[0];
    if (key !== undefined && n === path.length && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (pair !== undefined && isNode(pair.key)) offset = pair.key.range?.[0] ?? offset;
    }
    return offset === undefined ? null : counter.linePos(offset).line;
  }
  return null;
}
