import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api/client.js';
import { createSession } from './api/session.js';
import { App } from './app.js';
import { ServicesContext } from './context.js';
import { ChatStore } from './store.js';
import './styles.css';

const session = createSession();
const api = createApi(session);
const services = { session, api, store: new ChatStore(api) };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ServicesContext.Provider value={services}>
      <App />
    </ServicesContext.Provider>
  </StrictMode>,
);
