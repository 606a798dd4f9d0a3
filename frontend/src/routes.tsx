/** The route table: each page's path, menu name and icon, loaded on first visit. */
import {
  AlertOutlined,
  DashboardOutlined,
  DeploymentUnitOutlined,
  SearchOutlined,
  TagsOutlined,
  ThunderboltOutlined,
} from "@ant-design/icons";
import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from "react";

export interface PageRoute {
  path: string;
  name: string;
  icon: ReactNode;
  component: LazyExoticComponent<ComponentType>;
}

export const ROUTES: PageRoute[] = [
  { path: "/dashboard", name: "Dashboard", icon: <DashboardOutlined />, component: lazy(() => import("./pages/dashboard")) },
  { path: "/search", name: "Search", icon: <SearchOutlined />, component: lazy(() => import("./pages/search")) },
  { path: "/live", name: "Live", icon: <ThunderboltOutlined />, component: lazy(() => import("./pages/live")) },
  { path: "/alerts", name: "Alerts", icon: <AlertOutlined />, component: lazy(() => import("./pages/alerts")) },
  { path: "/brands", name: "Brands", icon: <TagsOutlined />, component: lazy(() => import("./pages/brands")) },
  { path: "/pipeline", name: "Pipeline", icon: <DeploymentUnitOutlined />, component: lazy(() => import("./pages/pipeline")) },
];

export const HOME = "/dashboard";
