/** The API key writes need (and reads, when the API is configured so), kept in this browser's storage. */
import { useSyncExternalStore } from "react";

const STORAGE_KEY = "brandpulse.apiKey";
const listeners = new Set<() => void>();

export function getApiKey(): string {
  return localStorage.getItem(STORAGE_KEY) ?? "";
}

export function setApiKey(key: string): void {
  if (key) localStorage.setItem(STORAGE_KEY, key);
  else localStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current key; re-renders when it changes. */
export function useApiKey(): string {
  return useSyncExternalStore(subscribe, getApiKey);
}
