import { Type } from 'typebox';

/**
 * WebAuthn's JSON forms (WebAuthn Level 3, §5.1.8–§5.1.10): the options Heimdall sends, which the browser reads
 * with `PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON`, and the credentials'
 * `toJSON()` it sends back. Request bodies are strict like every other body, except `clientExtensionResults`,
 * whose members belong to the extensions the browser ran; their values are never read.
 */

/** base64url, optionally padded, as browsers and @simplewebauthn/browser encode binary fields. */
const Base64Url = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9_-]+={0,2}$' });

const Transports = Type.Array(Type.String({ maxLength: 32 }), { maxItems: 8 });
const Extensions = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 16 });
const CredentialDescriptor = Type.Object({
  id: Type.String(),
  type: Type.String(),
  transports: Type.Optional(Type.Array(Type.String())),
});

export const CreationOptionsView = Type.Object({
  challenge: Type.String(),
  rp: Type.Object({ name: Type.String(), id: Type.Optional(Type.String()) }),
  user: Type.Object({ id: Type.String(), name: Type.String(), displayName: Type.String() }),
  pubKeyCredParams: Type.Array(Type.Object({ alg: Type.Integer(), type: Type.String() })),
  timeout: Type.Optional(Type.Integer()),
  attestation: Type.Optional(Type.String()),
  excludeCredentials: Type.Optional(Type.Array(CredentialDescriptor)),
  authenticatorSelection: Type.Optional(
    Type.Object({
      authenticatorAttachment: Type.Optional(Type.String()),
      residentKey: Type.Optional(Type.String()),
      requireResidentKey: Type.Optional(Type.Boolean()),
      userVerification: Type.Optional(Type.String()),
    }),
  ),
  extensions: Type.Optional(Type.Object({ credProps: Type.Optional(Type.Boolean()) })),
  hints: Type.Optional(Type.Array(Type.String())),
});

export const RequestOptionsView = Type.Object({
  challenge: Type.String(),
  rpId: Type.Optional(Type.String()),
  timeout: Type.Optional(Type.Integer()),
  userVerification: Type.Optional(Type.String()),
  allowCredentials: Type.Optional(Type.Array(CredentialDescriptor)),
  hints: Type.Optional(Type.Array(Type.String())),
});

const Attachment = Type.Optional(Type.Union([Type.Literal('platform'), Type.Literal('cross-platform')]));

/** A new credential's `toJSON()` (RegistrationResponseJSON). */
export const RegistrationCredential = Type.Object(
  {
    id: Base64Url(1400),
    rawId: Base64Url(1400),
    type: Type.Literal('public-key'),
    authenticatorAttachment: Attachment,
    clientExtensionResults: Extensions,
    response: Type.Object(
      {
        clientDataJSON: Base64Url(4096),
        attestationObject: Base64Url(12_000),
        authenticatorData: Type.Optional(Base64Url(8192)),
        transports: Type.Optional(Transports),
        publicKeyAlgorithm: Type.Optional(Type.Integer()),
        publicKey: Type.Optional(Base64Url(4096)),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** An assertion's `toJSON()` (AuthenticationResponseJSON). */
export const AuthenticationCredential = Type.Object(
  {
    id: Base64Url(1400),
    rawId: Base64Url(1400),
    type: Type.Literal('public-key'),
    authenticatorAttachment: Attachment,
    clientExtensionResults: Extensions,
    response: Type.Object(
      {
        clientDataJSON: Base64Url(4096),
        authenticatorData: Base64Url(8192),
        signature: Base64Url(2048),
        userHandle: Type.Optional(Base64Url(128)),
        attestationObject: Type.Optional(Base64Url(12_000)),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** A TOTP code: six digits (the SPA strips the spaces people type). */
export const TotpCode = Type.String({ pattern: '^[0-9]{6}$' });
/** A recovery code as typed (`xxxx-xxxx-xxxx-xxxx`, any case, spaces allowed); checked against the digests. */
export const RecoveryCode = Type.String({ minLength: 1, maxLength: 64 });

/** An empty JSON object or no body at all. */
export const EmptyBody = Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()]);
