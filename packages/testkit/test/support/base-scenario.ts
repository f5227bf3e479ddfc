/**
 * A small valid scenario that tests extend or break: process `app`, a two-page anonymous
 * mapping `buf`, driver `gpu`, and task `cpu` writing buf[0]. The task list comes last,
 * so appending `  - name: …` adds a task. Tests assert line numbers in it: append, do not edit.
 */
export const BASE = `name: base
processes:
  - name: app
mappings:
  - name: buf
    process: app
    pages: 2
    prot: rw
    kind: anon-private
drivers:
  - name: gpu
    process: app
tasks:
  - name: cpu
    process: app
    steps:
      - op: write
        at: buf[0]
        value: 1
`;
