/** The committed client types must be what `npm run gen:api` makes of the committed schema snapshot. */
import { readFileSync } from "node:fs";

import openapiTS, { astToString } from "openapi-typescript";
import { describe, expect, it } from "vitest";

describe("generated API types", () => {
  it("are up to date with openapi.json (run `npm run gen:api`)", async () => {
    const schema = new URL("../../openapi.json", import.meta.url);
    const generated = astToString(await openapiTS(schema));
    const committed = readFileSync(new URL("./schema.d.ts", import.meta.url), "utf8");
    const body = (text: string) => text.slice(text.indexOf("export interface paths"));
    expect(body(committed)).toBe(body(generated));
  });
});
