// Discord-flavoured markdown to React elements. Message text only ever becomes React text nodes
// and a fixed set of elements: no HTML is parsed or injected (no dangerouslySetInnerHTML), so
// `<script>` or `<img onerror>` in a message is shown as the characters typed. Links are made only
// from http(s) URLs; anything else (javascript:, data:) stays text.
import { Fragment, useState, type ReactNode } from 'react';

type Rule = { re: RegExp; render: (m: RegExpExecArray, ctx: Ctx) => ReactNode };
interface Ctx {
  depth: number;
  key: number;
  mentionName(userId: string): string | undefined;
}

/** Deeper nesting is shown as plain text (bounds the work a crafted message can cause). */
const MAX_DEPTH = 6;

export function safeUrl(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

function Link({ href, children }: { href: string; children: ReactNode }) {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow ugc">
      {children}
    </a>
  );
}

function Spoiler({ children }: { children: ReactNode }) {
  const [shown, setShown] = useState(false);
  return shown ? (
    <span className="spoiler shown">{children}</span>
  ) : (
    <button type="button" className="spoiler" aria-label="Spoiler, press to reveal" onClick={() => setShown(true)}>
      <span aria-hidden="true">{children}</span>
    </button>
  );
}

const inner = (m: RegExpExecArray, ctx: Ctx, group = 1) => parse(m[group] ?? '', { ...ctx, depth: ctx.depth + 1 });

const rules: Rule[] = [
  { re: /^```(?:([A-Za-z0-9_+-]+)?\n)?([\s\S]*?)```/, render: (m) => <pre className="code-block"><code>{m[2]}</code></pre> },
  { re: /^(`+)([\s\S]*?[^`])\1(?!`)/, render: (m) => <code>{m[2]}</code> },
  { re: /^\\([^0-9A-Za-z\s])/, render: (m) => m[1] },
  {
    re: /^<@!?(\d{1,20})>/,
    render: (m, ctx) => <span className="mention">@{ctx.mentionName(m[1]!) ?? 'unknown-user'}</span>,
  },
  {
    re: /^\[([^\]\n]{1,200})\]\(<?(https?:\/\/[^\s)>]+)>?\)/,
    render: (m, ctx) => {
      const href = safeUrl(m[2]!);
      return href ? <Link href={href}>{inner(m, ctx)}</Link> : m[0];
    },
  },
  {
    re: /^<(https?:\/\/[^\s>]+)>/,
    render: (m) => {
      const href = safeUrl(m[1]!);
      return href ? <Link href={href}>{m[1]}</Link> : m[0];
    },
  },
  {
    re: /^https?:\/\/[^\s<]+[^<.,:;"')\]\s]/,
    render: (m) => {
      const href = safeUrl(m[0]);
      return href ? <Link href={href}>{m[0]}</Link> : m[0];
    },
  },
  { re: /^\|\|([\s\S]+?)\|\|/, render: (m, ctx) => <Spoiler>{inner(m, ctx)}</Spoiler> },
  { re: /^\*\*([\s\S]+?)\*\*(?!\*)/, render: (m, ctx) => <strong>{inner(m, ctx)}</strong> },
  { re: /^__([\s\S]+?)__(?!_)/, render: (m, ctx) => <u>{inner(m, ctx)}</u> },
  { re: /^\*(?=\S)([\s\S]*?\S)\*(?!\*)/, render: (m, ctx) => <em>{inner(m, ctx)}</em> },
  { re: /^_(?=\S)([\s\S]*?\S)_(?![_A-Za-z0-9])/, render: (m, ctx) => <em>{inner(m, ctx)}</em> },
  { re: /^~~([\s\S]+?)~~/, render: (m, ctx) => <s>{inner(m, ctx)}</s> },
];

/** Plain text up to the next character that could start a rule. */
const TEXT = /^[\s\S]+?(?=[\\`*_~|<[h]|$)/;

function parse(source: string, ctx: Ctx): ReactNode[] {
  const out: ReactNode[] = [];
  let text = '';
  let rest = source;
  const flush = () => {
    if (text) out.push(text);
    text = '';
  };
  while (rest.length > 0) {
    let matched = false;
    if (ctx.depth < MAX_DEPTH) {
      for (const rule of rules) {
        const m = rule.re.exec(rest);
        if (!m) continue;
        flush();
        const node = rule.render(m, ctx);
        out.push(typeof node === 'string' ? node : <Fragment key={ctx.key++}>{node}</Fragment>);
        rest = rest.slice(m[0].length);
        matched = true;
        break;
      }
    }
    if (matched) continue;
    const t = TEXT.exec(rest);
    const take = t && t[0].length > 0 ? t[0].length : 1;
    text += rest.slice(0, take);
    rest = rest.slice(take);
  }
  flush();
  return out;
}

export function Markdown({ source, mentionName }: { source: string; mentionName(userId: string): string | undefined }) {
  return <>{parse(source, { depth: 0, key: 0, mentionName })}</>;
}
