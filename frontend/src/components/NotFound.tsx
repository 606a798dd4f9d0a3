/** Any path the route table does not know. */
import { Button, Result } from "antd";
import { Link } from "react-router";

import { HOME } from "../routes";

export default function NotFound() {
  return (
    <Result
      status="404"
      title="No such page"
      extra={
        <Link to={HOME}>
          <Button type="primary">Back to the dashboard</Button>
        </Link>
      }
    />
  );
}
