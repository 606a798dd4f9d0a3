/** A snippet with the query's matches marked, rendered as text (never as HTML). */
import { highlightParts } from "../lib/highlight";

export default function MentionText({ snippet }: { snippet: string }) {
  return (
    <>
      {highlightParts(snippet).map((part, index) => (part.marked ? <mark key={index}>{part.text}</mark> : part.text))}
    </>
  );
}
