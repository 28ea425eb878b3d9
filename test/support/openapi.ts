/**
 * Checks answers against the API's OpenAPI document (shared/openapi.ts),
 * so that the document cannot drift from what the routes answer: every
 * route test's answer goes through `checkAnswer` (the approvals harness and
 * the route helpers call it). JSON Schema 2020-12, as OpenAPI 3.1 uses, with
 * ajv.
 */
import Ajv2020 from 'ajv/dist/2020';
import {openApiDocument} from '../../shared/openapi';

type Doc = ReturnType<typeof openApiDocument>;

let checker:
  {doc: Doc; ajv: Ajv2020; templates: Array<[RegExp, string]>} | undefined;

function load() {
  if (checker) return checker;
  const doc = openApiDocument();
  const ajv = new Ajv2020({strict: false, allErrors: true});
  ajv.addSchema(doc as object, 'openapi');
  const templates = Object.keys(doc.paths ?? {}).map(
    p =>
      [new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`), p] as [
        RegExp,
        string,
      ],
  );
  checker = {doc, ajv, templates};
  return checker;
}

const pointer = (text: string) => text.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Throws when a JSON answer of the API (a path under /api/ or /health/)
 * is not what the document says `method path` answers with `status`.
 */
export function checkAnswer(
  method: string,
  url: string,
  status: number,
  body: unknown,
): void {
  const path = new URL(url, 'http://x').pathname;
  if (!/^\/(api\/|health\/|health$)/.test(path)) return;
  const {doc, ajv, templates} = load();
  const template = templates.find(([re]) => re.test(path))?.[1];
  if (!template)
    throw new Error(`${method} ${path} is not in the OpenAPI document`);
  const operation = (doc.paths as Record<string, Record<string, unknown>>)[
    template
  ]![method.toLowerCase()] as {responses: Record<string, unknown>} | undefined;
  // A path with another method answers 405, which every path may.
  if (!operation) {
    if (status === 405) return;
    throw new Error(`${method} ${template} is not in the OpenAPI document`);
  }
  if (!(String(status) in operation.responses)) {
    // 400 (bad JSON, bad headers), 404, 405, 413, 415 and 429 come from the
    // HTTP kit before any route: they answer the ErrorBody.
    const valid = ajv.validate(
      {$ref: 'openapi#/components/schemas/ErrorBody'},
      body,
    );
    if (status >= 400 && valid) return;
    throw new Error(
      `${method} ${template} answered ${status}, which the OpenAPI document does not list`,
    );
  }
  const ref = `openapi#/paths/${pointer(template)}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
  if (!ajv.validate({$ref: ref}, body)) {
    throw new Error(
      `${method} ${template} ${status}: the answer does not match the OpenAPI document: ${ajv.errorsText(ajv.errors)}`,
    );
  }
}

/** For supertest: `.expect(openApiAnswer)`. */
export function openApiAnswer(res: {
  status: number;
  body: unknown;
  req: {method: string; path: string};
}): void {
  checkAnswer(res.req.method, res.req.path, res.status, res.body);
}
