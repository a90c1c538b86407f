// The app's services, created once in main.tsx and handed down through React context.
import { createContext, useContext } from 'react';
import type { Api } from './api/client.js';
import type { Session } from './api/session.js';
import type { ChatStore } from './store.js';

export interface Services {
  session: Session;
  api: Api;
  store: ChatStore;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside ServicesContext');
  return services;
}

/** A readable message for a failed call (the server's message, or the network's). */
export function errorText(err: unknown): string {
  const e = err as { message?: string; data?: { issues?: { path: string[]; message: string }[] } };
  const issue = e.data?.issues?.[0];
  if (issue) return `${issue.path.join('.') || 'input'}: ${issue.message}`;
  return e.message || 'Something went wrong';
}
