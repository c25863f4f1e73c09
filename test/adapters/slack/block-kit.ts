/**
 * Block Kit checks for tests: each block against its own definition in the schema generated from @slack/types'
 * KnownBlock (test/fixtures/slack/known-block.schema.json, scripts/gen-slack-schemas.sh), plus Slack's length
 * and count limits, which the types only mention in comments. A type-level check, not Slack's own validator.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

type Definition = { properties?: { type?: { const?: string } }; anyOf?: Definition[] };
const schema = JSON.parse(readFileSync('test/fixtures/slack/known-block.schema.json', 'utf8')) as {
  definitions: Record<string, Definition>;
};
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema({ $id: 'kb', definitions: schema.definitions });

/** Block type → its validator, found by the `type` constant of each *Block definition. */
const byType = new Map<string, ValidateFunction>();
for (const [name, definition] of Object.entries(schema.definitions)) {
  // A block with variants (the image block: by URL or by Slack file) names its type in each variant.
  const type = definition.properties?.type?.const ?? definition.anyOf?.[0]?.properties?.type?.const;
  if (name.endsWith('Block') && type) byType.set(type, ajv.compile({ $ref: `kb#/definitions/${name}` }));
}

type Json = Record<string, unknown>;

function walk(node: unknown, path: string, visit: (node: Json, path: string) => void): void {
  if (Array.isArray(node)) for (const [i, child] of node.entries()) walk(child, `${path}/${i}`, visit);
  else if (node && typeof node === 'object') {
    visit(node as Json, path);
    for (const [key, child] of Object.entries(node)) walk(child, `${path}/${key}`, visit);
  }
}

const len = (value: unknown) => (typeof value === 'string' ? Array.from(value).length : 0);

/** Every problem found in a list of blocks; empty when valid. `surface` picks the block cap (50 or 100). */
export function blockProblems(blocks: unknown[], surface: 'message' | 'view' = 'message'): string[] {
  const problems: string[] = [];
  const max = surface === 'message' ? 50 : 100;
  if (blocks.length > max) problems.push(`${blocks.length} blocks (max ${max})`);
  if (blocks.length === 0) problems.push('no blocks');
  blocks.forEach((block, i) => {
    const type = (block as Json).type;
    const validate = typeof type === 'string' ? byType.get(type) : undefined;
    if (!validate) problems.push(`/${i}/type unknown block type ${JSON.stringify(type)}`);
    else if (!validate(block))
      for (const e of validate.errors ?? []) problems.push(`/${i}${e.instancePath} ${e.message}`);
  });
  const actionIds = new Set<string>();
  walk(blocks, '', (node, path) => {
    const limit = (field: string, max: number) => {
      if (len(node[field]) > max) problems.push(`${path}/${field} longer than ${max}`);
    };
    if (node.type === 'plain_text' || node.type === 'mrkdwn') limit('text', 3000);
    if (node.type === 'header' && len((node.text as Json | undefined)?.text) > 150)
      problems.push(`${path} header text longer than 150`);
    if (typeof node.action_id === 'string') {
      limit('action_id', 255);
      if (actionIds.has(node.action_id)) problems.push(`${path} duplicate action_id`);
      actionIds.add(node.action_id);
    }
    if (node.type === 'button') {
      if (len((node.text as Json).text) > 75) problems.push(`${path} button text longer than 75`);
      limit('value', 2000);
      limit('accessibility_label', 75);
      limit('url', 3000);
    }
    if (node.type === 'actions' && (node.elements as unknown[]).length > 25)
      problems.push(`${path} more than 25 elements`);
    if (node.type === 'context' && (node.elements as unknown[]).length > 10)
      problems.push(`${path} more than 10 elements`);
    if (node.type === 'section' && Array.isArray(node.fields)) {
      if (node.fields.length > 10) problems.push(`${path} more than 10 fields`);
      for (const f of node.fields as Json[]) if (len(f.text) > 2000) problems.push(`${path} field longer than 2000`);
    }
    if (node.type === 'checkboxes' && (node.options as unknown[]).length > 10)
      problems.push(`${path} more than 10 checkboxes`);
    if (node.type === 'static_select' && (node.options as unknown[]).length > 100)
      problems.push(`${path} more than 100 options`);
    if (Array.isArray(node.options))
      for (const o of node.options as Json[]) {
        if (len((o.text as Json).text) > 75) problems.push(`${path} option text longer than 75`);
        if (len(o.value) > 150) problems.push(`${path} option value longer than 150`);
        if (o.description && len((o.description as Json).text) > 75)
          problems.push(`${path} option description longer than 75`);
      }
    if (node.type === 'plain_text_input') {
      if (typeof node.max_length === 'number' && node.max_length > 3000) problems.push(`${path} max_length above 3000`);
      if (node.placeholder && len((node.placeholder as Json).text) > 150)
        problems.push(`${path} placeholder longer than 150`);
    }
    if (node.type === 'input' && len((node.label as Json).text) > 2000)
      problems.push(`${path} input label longer than 2000`);
  });
  return problems;
}

/** A chat.postMessage / chat.update body: top-level text (notification, screen readers) and valid blocks. */
export function messageProblems(message: { text?: unknown; blocks?: unknown }): string[] {
  const problems = blockProblems(Array.isArray(message.blocks) ? message.blocks : []);
  if (typeof message.text !== 'string' || message.text.trim() === '') problems.push('top-level text missing');
  else if (message.text.length > 3000) problems.push('top-level text longer than 3000');
  return problems;
}

/** A modal or Home view: its blocks plus the view's own limits. */
export function viewProblems(view: Json): string[] {
  const problems = blockProblems(view.blocks as unknown[], 'view');
  for (const field of ['title', 'submit', 'close'])
    if (view[field] && len((view[field] as Json).text) > 24) problems.push(`view ${field} longer than 24`);
  if (len(view.private_metadata) > 3000) problems.push('private_metadata longer than 3000');
  return problems;
}

/** Every mrkdwn text and the top-level text, to look for unescaped control sequences. */
export function mrkdwnTexts(message: unknown): string[] {
  const texts: string[] = [];
  if (message && typeof message === 'object' && typeof (message as Json).text === 'string')
    texts.push((message as Json).text as string);
  walk(message, '', (node) => {
    if (node.type === 'mrkdwn' && typeof node.text === 'string') texts.push(node.text);
  });
  return texts;
}
