import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { AuthProvider } from './auth-context.js';
import { ReauthenticationProvider } from './components/reauth-dialog.js';
import { NotificationsProvider } from './notifications.js';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <NotificationsProvider>
      <AuthProvider>
        <ReauthenticationProvider>
          <App />
        </ReauthenticationProvider>
      </AuthProvider>
    </NotificationsProvider>
  </StrictMode>,
);
