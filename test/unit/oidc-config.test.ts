import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { configProblems } from '../helpers/config-problems.js';

describe('OIDC configuration', () => {
  it('has no providers and no email linking by default', () => {
    expect(loadConfig({}).oidc).toEqual({ providers: [], linkVerifiedEmail: false });
  });

  it('reads OIDC_<NAME>_* variables, with default scopes and label', () => {
    const { oidc } = loadConfig({
      OIDC_GOOGLE_ISSUER: 'https://accounts.google.com',
      OIDC_GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com',
      OIDC_GOOGLE_CLIENT_SECRET: 'shh',
      OIDC_MY_IDP_ISSUER: 'https://sso.example.com/realms/main',
      OIDC_MY_IDP_CLIENT_ID: 'heimdall',
      OIDC_MY_IDP_SCOPES: 'openid email',
      OIDC_MY_IDP_LABEL: 'Company SSO',
      OIDC_LINK_VERIFIED_EMAIL: 'true',
    });
    expect(oidc.linkVerifiedEmail).toBe(true);
    expect(oidc.providers).toEqual([
      {
        name: 'google',
        label: 'Google',
        issuer: 'https://accounts.google.com',
        clientId: 'id.apps.googleusercontent.com',
        clientSecret: 'shh',
        scopes: ['openid', 'email', 'profile'],
      },
      {
        name: 'my_idp',
        label: 'Company SSO',
        issuer: 'https://sso.example.com/realms/main',
        clientId: 'heimdall',
        clientSecret: null,
        scopes: ['openid', 'email'],
      },
    ]);
  });

  it('reads OIDC_PROVIDERS as a JSON array', () => {
    const { oidc } = loadConfig({
      OIDC_PROVIDERS: JSON.stringify([
        { name: 'keycloak', issuer: 'https://kc.example.com/realms/r', clientId: 'c', clientSecret: 's' },
      ]),
    });
    expect(oidc.providers.map((p) => [p.name, p.label, p.clientSecret])).toEqual([['keycloak', 'Keycloak', 's']]);
  });

  it('names the variable and what it accepts for every mistake', () => {
    const problems = configProblems({
      OIDC_PROVIDERS: '{not json',
      OIDC_PLAIN_ISSUER: 'http://sso.example.com',
      OIDC_PLAIN_CLIENT_ID: 'c',
      OIDC_NOSCOPE_ISSUER: 'https://sso.example.com',
      OIDC_NOSCOPE_CLIENT_ID: 'c',
      OIDC_NOSCOPE_SCOPES: 'email profile',
      OIDC_NOID_ISSUER: 'https://sso.example.com',
      OIDC_ORPHAN_CLIENT_ID: 'c',
      OIDC_PROVIDERS_ISSUER: 'https://sso.example.com',
      OIDC_PROVIDERS_CLIENT_ID: 'c',
      OIDC_LINK_VERIFIED_EMAIL: 'maybe',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OIDC_PROVIDERS is not valid: expected a JSON array/),
        expect.stringMatching(/^OIDC_PLAIN: issuer "http:\/\/sso.example.com" is not valid: expected an https:\/\//),
        expect.stringMatching(/^OIDC_NOSCOPE: scopes must .* include "openid"/),
        expect.stringMatching(/^OIDC_NOID: a client id is required \(OIDC_NOID_CLIENT_ID\)/),
        expect.stringMatching(/^OIDC_ORPHAN_\* is set but OIDC_ORPHAN_ISSUER is not/),
        expect.stringMatching(/^OIDC_PROVIDERS: name "providers" is not valid/),
        expect.stringMatching(/^OIDC_LINK_VERIFIED_EMAIL="maybe" is not valid/),
      ]),
    );
  });

  it('allows plain-HTTP issuers only on loopback', () => {
    for (const issuer of ['http://localhost:8080/realms/dev', 'http://127.0.0.1:9000']) {
      expect(configProblems({ OIDC_DEV_ISSUER: issuer, OIDC_DEV_CLIENT_ID: 'c' })).toEqual([]);
    }
    expect(configProblems({ OIDC_DEV_ISSUER: 'http://10.0.0.5', OIDC_DEV_CLIENT_ID: 'c' })).toHaveLength(1);
  });

  it('refuses the same provider name twice', () => {
    const problems = configProblems({
      OIDC_PROVIDERS: JSON.stringify([{ name: 'idp', issuer: 'https://a.example', clientId: 'c' }]),
      OIDC_IDP_ISSUER: 'https://b.example',
      OIDC_IDP_CLIENT_ID: 'c',
    });
    expect(problems).toEqual([expect.stringMatching(/provider name "idp" is configured twice/)]);
  });
});
