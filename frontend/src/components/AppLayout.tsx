/** The app shell: the menu from the route table (a drawer on phones), the header's theme and key controls,
 * and the one place request errors are shown. */
import { MenuOutlined, MoonOutlined, SunOutlined } from "@ant-design/icons";
import { App, Button, Drawer, Grid, Layout, Menu, Space, Tooltip, theme } from "antd";
import { useEffect, useState } from "react";
import { Link, Outlet, useLocation } from "react-router";

import { ROUTES } from "../routes";
import { setErrorReporter } from "../services/errors";
import { useThemeMode } from "../theme";
import ApiKeyButton from "./ApiKeyButton";
import Logo from "./Logo";

const ITEMS = ROUTES.map(({ path, name, icon }) => ({ key: path, icon, label: <Link to={path}>{name}</Link> }));

function useErrorNotifications(): void {
  const { notification } = App.useApp();
  useEffect(() => {
    setErrorReporter((error) =>
      notification.error({
        key: `${error.status}:${error.code}`, // the same failure repeated shows once
        title: error.status === 401 ? "An API key is needed" : `Request failed (${error.code})`,
        description: error.status === 401 ? `${error.message}. Set one with the key button at the top.` : error.message,
        placement: "bottomRight",
      }),
    );
    return () => setErrorReporter(undefined);
  }, [notification]);
}

export default function AppLayout() {
  const [mode, setMode] = useThemeMode();
  const { token } = theme.useToken();
  const screens = Grid.useBreakpoint();
  const [menuOpen, setMenuOpen] = useState(false);
  const { pathname } = useLocation();
  const wide = screens.lg ?? true;
  useErrorNotifications();
  useEffect(() => setMenuOpen(false), [pathname]);
  useEffect(() => {
    document.body.classList.toggle("bp-dark", mode === "dark");
  }, [mode]);

  const selected = ROUTES.filter(({ path }) => pathname.startsWith(path)).map(({ path }) => path);
  const menu = <Menu mode="inline" selectedKeys={selected} items={ITEMS} style={{ borderInlineEnd: 0 }} />;
  return (
    <Layout style={{ minHeight: "100vh" }}>
      {wide && (
        <Layout.Sider width={208} theme="light" style={{ background: token.colorBgContainer, borderInlineEnd: `1px solid ${token.colorSplit}` }}>
          <Logo />
          {menu}
        </Layout.Sider>
      )}
      <Layout>
        <Layout.Header
          style={{
            display: "flex",
            alignItems: "center",
            gap: 12,
            paddingInline: wide ? 24 : 12,
            background: token.colorBgContainer,
            borderBottom: `1px solid ${token.colorSplit}`,
            position: "sticky",
            top: 0,
            zIndex: 10,
          }}
        >
          {!wide && <Button type="text" icon={<MenuOutlined />} aria-label="Menu" onClick={() => setMenuOpen(true)} />}
          {!wide && <Logo compact />}
          <div style={{ flex: 1 }} />
          <Space>
            <ApiKeyButton />
            <Tooltip title={mode === "dark" ? "Light theme" : "Dark theme"}>
              <Button
                type="text"
                aria-label="Toggle theme"
                icon={mode === "dark" ? <SunOutlined /> : <MoonOutlined />}
                onClick={() => setMode(mode === "dark" ? "light" : "dark")}
              />
            </Tooltip>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: wide ? 24 : 12 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
      <Drawer placement="left" size={240} open={menuOpen} onClose={() => setMenuOpen(false)} styles={{ body: { padding: 0 } }} title={<Logo compact />}>
        {menu}
      </Drawer>
    </Layout>
  );
}
