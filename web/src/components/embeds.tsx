// A message's embeds (Discord's rich embed: author, title, description, fields, footer). Every
// text becomes React text (descriptions and field values through the same markdown renderer as
// messages); links only from http(s) URLs. Images are shown as links: the page's CSP loads
// images from this server only.
import type { Embed } from '../../../shared/schemas/embed.js';
import { Markdown, safeUrl } from '../markdown.js';

function MaybeLink({ url, children }: { url?: string; children: string }) {
  const href = url ? safeUrl(url) : null;
  return href ? (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow ugc">
      {children}
    </a>
  ) : (
    <>{children}</>
  );
}

export function Embeds({ embeds, mentionName }: { embeds: Embed[]; mentionName(userId: string): string | undefined }) {
  return (
    <>
      {embeds.map((e, i) => {
        const image = e.image?.url ?? e.thumbnail?.url;
        return (
          <section key={i} className="embed" aria-label={`Embed${e.title ? `: ${e.title}` : ''}`} style={{ borderColor: e.color !== undefined ? `#${e.color.toString(16).padStart(6, '0')}` : undefined }}>
            {e.author && (
              <div className="embed-author">
                <MaybeLink url={e.author.url}>{e.author.name}</MaybeLink>
              </div>
            )}
            {e.title && (
              <div className="embed-title">
                <MaybeLink url={e.url}>{e.title}</MaybeLink>
              </div>
            )}
            {e.description && (
              <div className="embed-description">
                <Markdown source={e.description} mentionName={mentionName} />
              </div>
            )}
            {e.fields && e.fields.length > 0 && (
              <dl className="embed-fields">
                {e.fields.map((f, j) => (
                  <div key={j} className={f.inline ? 'inline' : undefined}>
                    <dt>{f.name}</dt>
                    <dd>
                      <Markdown source={f.value} mentionName={mentionName} />
                    </dd>
                  </div>
                ))}
              </dl>
            )}
            {image && safeUrl(image) && (
              <div>
                <MaybeLink url={image}>Open image</MaybeLink>
              </div>
            )}
            {(e.footer || e.timestamp) && (
              <div className="embed-footer">
                {[e.footer?.text, e.timestamp && new Date(e.timestamp).toLocaleString()].filter(Boolean).join(' • ')}
              </div>
            )}
          </section>
        );
      })}
    </>
  );
}
