// @chat-server/client: the chat server's router types and a ready client.
export { createChatClient, defaultReconnectDelayMs, isChatClientError } from './client.js';
export type { ChatClient, ChatClientError, ChatClientOptions, StreamHandlers, StreamStatus, TokenPair } from './client.js';
export type { AppRouter, RouterInputs, RouterOutputs, StreamEvent } from './router.js';
