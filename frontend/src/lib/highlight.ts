/** Highlighted snippets: the API sends HTML-escaped text with `<mark>` tags; we render them without innerHTML. */

export interface Part {
  text: string;
  marked: boolean;
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'", "&#39;": "'", "&#x2F;": "/" };

function unescape(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#x27|#39|#x2F);/g, (entity) => ENTITIES[entity] ?? entity);
}

/** The snippet as plain-text parts, marked where the query matched. */
export function highlightParts(snippet: string): Part[] {
  return snippet
    .split(/(<mark>.*?<\/mark>)/g)
    .filter(Boolean)
    .map((piece) => {
      const marked = piece.startsWith("<mark>") && piece.endsWith("</mark>");
      return { text: unescape(marked ? piece.slice(6, -7) : piece), marked };
    });
}
