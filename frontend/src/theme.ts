/** Light and dark themes: the viewer's choice, kept in this browser, else the system's. */
import { useCallback, useSyncExternalStore } from "react";

export type ThemeMode = "light" | "dark";
const STORAGE_KEY = "brandpulse.theme";
const listeners = new Set<() => void>();
const dark = globalThis.matchMedia?.("(prefers-color-scheme: dark)");

function current(): ThemeMode {
  const chosen = localStorage.getItem(STORAGE_KEY);
  if (chosen === "light" || chosen === "dark") return chosen;
  return dark?.matches ? "dark" : "light";
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  dark?.addEventListener("change", listener);
  return () => {
    listeners.delete(listener);
    dark?.removeEventListener("change", listener);
  };
}

/** The theme in use and a function to choose one. */
export function useThemeMode(): [ThemeMode, (mode: ThemeMode) => void] {
  const mode = useSyncExternalStore(subscribe, current);
  const choose = useCallback((next: ThemeMode) => {
    localStorage.setItem(STORAGE_KEY, next);
    for (const listener of listeners) listener();
  }, []);
  return [mode, choose];
}
