/**
 * Prompt templates: `Hello {{customer.firstName | there}}`. A placeholder is
 * a path from a fixed list, with an optional fallback after `|`. Nothing is
 * evaluated: a value is looked up and pasted, with the characters that could
 * turn plain text into SSML removed, so a customer's name can never become
 * markup read to the next caller.
 */

export const templatePaths = [
  'customer.name',
  'customer.firstName',
  'customer.tier',
  'customer.language',
  'conversation.subject',
  'conversation.channel',
] as const;

export type TemplatePath = (typeof templatePaths)[number];

/** Values a template may use; `vars.<name>` reads the flow's variables. */
export interface TemplateValues {
  fixed: Partial<Record<TemplatePath, string>>;
  vars: Record<string, string>;
}

const placeholder = /\{\{\s*([a-zA-Z0-9_.]+)\s*(?:\|\s*([^}]*?)\s*)?\}\}/g;

export interface TemplateProblem {
  /** The placeholder as written. */
  placeholder: string;
  message: string;
}

/** Every placeholder that names something no template can read. */
export function templateProblems(text: string): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const match of text.matchAll(placeholder)) {
    const path = match[1] ?? '';
    const known =
      (templatePaths as readonly string[]).includes(path) ||
      /^vars\.[a-z][a-zA-Z0-9_]{0,31}$/.test(path);
    if (!known) {
      problems.push({
        placeholder: match[0],
        message:
          `unknown placeholder ${match[0]}; use vars.<name> or one of ` +
          templatePaths.join(', '),
      });
    }
  }
  const opened = (text.match(/\{\{/g) ?? []).length;
  const closed = [...text.matchAll(placeholder)].length;
  if (opened !== closed) {
    problems.push({
      placeholder: '{{',
      message: 'a {{ is not closed by }}, or holds something other than a name',
    });
  }
  return problems;
}

export function renderTemplate(text: string, values: TemplateValues): string {
  return text.replace(
    placeholder,
    (_match, path: string, fallback?: string) => {
      // Own properties only: `{{vars.constructor}}` must find nothing.
      const [record, key]: [Record<string, string | undefined>, string] =
        path.startsWith('vars.')
          ? [values.vars, path.slice(5)]
          : [values.fixed, path];
      const value = Object.hasOwn(record, key) ? record[key] : undefined;
      return sanitize(value && value.trim() !== '' ? value : (fallback ?? ''));
    },
  );
}

function sanitize(value: string): string {
  return value.replace(/[<>&{}]/g, '').slice(0, 200);
}
