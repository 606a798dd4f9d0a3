/** A query in the brand-query syntax: the input, a syntax cheat sheet, and the API's error shown under it.
 * (No `loading` on the input: antd's Search ignores Enter while loading.) */
import { QuestionCircleOutlined } from "@ant-design/icons";
import { Button, Input, Popover, Typography, theme } from "antd";

import { markPosition, type QueryProblem } from "../lib/queryError";

const SYNTAX: [string, string][] = [
  ["acme", "a word, any case and accents"],
  ['"acme corp"', "a phrase"],
  ["acme OR globex", "either"],
  ["acme launch", "both (AND is implied)"],
  ['acme -"acme brick"', "exclude (or NOT)"],
  ["(acme OR globex) recall", "group with parentheses"],
];

export function SyntaxHelp({ size }: { size?: "small" | "large" }) {
  return (
    <Popover
      title="Query syntax"
      trigger="click"
      content={
        <table style={{ borderSpacing: "12px 4px" }}>
          <tbody>
            {SYNTAX.map(([example, meaning]) => (
              <tr key={example}>
                <td>
                  <Typography.Text code>{example}</Typography.Text>
                </td>
                <td>{meaning}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <Button type="text" size={size} icon={<QuestionCircleOutlined />} aria-label="Query syntax" />
    </Popover>
  );
}

/** The query with the character at the error position underlined, and the message. */
export function QueryProblemText({ query, problem }: { query: string; problem: QueryProblem }) {
  const { token } = theme.useToken();
  const marked = problem.position === undefined ? undefined : markPosition(query, problem.position);
  return (
    <div role="alert" data-testid="query-error" style={{ color: token.colorError, marginTop: 6, fontSize: 13 }}>
      {marked && (
        <code style={{ display: "block", whiteSpace: "pre-wrap", wordBreak: "break-all", marginBottom: 2 }}>
          {marked[0]}
          <span style={{ textDecoration: `wavy underline ${token.colorError}`, background: token.colorErrorBg }}>{marked[1]}</span>
          {marked[2]}
        </code>
      )}
      {problem.message}
      {problem.position !== undefined && ` (at character ${problem.position + 1})`}
    </div>
  );
}

export default function QueryBox({
  value,
  onChange,
  onSubmit,
  problem,
}: {
  value: string;
  onChange: (query: string) => void;
  onSubmit: (query: string) => void;
  problem?: QueryProblem;
}) {
  return (
    <div style={{ flex: 1, minWidth: 240 }}>
      <div style={{ display: "flex", gap: 4 }}>
        <Input.Search
          aria-label="Search query"
          placeholder='Search mentions: acme OR "acme corp" -recall'
          allowClear
          enterButton
          size="large"
          value={value}
          status={problem ? "error" : undefined}
          onChange={(event) => onChange(event.target.value)}
          onSearch={onSubmit}
        />
        <SyntaxHelp size="large" />
      </div>
      {problem && <QueryProblemText query={value} problem={problem} />}
    </div>
  );
}
