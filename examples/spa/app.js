// The whole app: heimdall-auth/client does the cookie, the CSRF token, errors and the second-factor step.
import { ApiError, HeimdallClient, needsSecondFactor } from 'heimdall-auth/client';

const heimdall = new HeimdallClient({
  baseUrl: document.querySelector('meta[name="heimdall-url"]').content,
  onUnauthenticated: () => show(null),
});
const $ = (id) => document.getElementById(id);
let stream = null;

function show(answer) {
  $('signed-out').hidden = answer !== null;
  $('signed-in').hidden = answer === null;
  stream?.close();
  stream = null;
  if (!answer) return;
  $('email').textContent = answer.user.email;
  $('session-id').textContent = answer.session.id;
  stream = heimdall.events((event) => {
    const item = document.createElement('li');
    item.textContent = `${event.type}: ${JSON.stringify(event.data)}`;
    $('events').append(item);
    if (event.type === 'session.revoked') show(null);
  });
}

async function attempt(action) {
  $('error').textContent = '';
  try {
    await action();
  } catch (error) {
    $('error').textContent = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
  }
}

$('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = { email: form.get('email'), password: form.get('password') };
  attempt(async () => {
    const answer = event.submitter?.value === 'register' ? await heimdall.register(body) : await heimdall.login(body);
    if (needsSecondFactor(answer)) {
      $('second-factor').hidden = false;
      return;
    }
    show(answer);
  });
});

$('second-factor').addEventListener('submit', (event) => {
  event.preventDefault();
  const totp = String(new FormData(event.target).get('totp'));
  attempt(async () => show(await heimdall.submitSecondFactor({ totp })));
});

$('sign-out').addEventListener('click', () =>
  attempt(async () => {
    await heimdall.logout();
    show(null);
  }),
);

// Who is signed in: GET /api/session, with the cookie Heimdall set for its own origin.
attempt(async () => {
  try {
    show(await heimdall.getSession());
  } catch (error) {
    if (error instanceof ApiError && error.code === 'unauthenticated') show(null);
    else throw error;
  }
});
