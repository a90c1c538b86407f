// Machine-readable reasons carried by every tRPC error the API raises on purpose (in
// `error.data.reason`). Clients branch on them; the Discord compat layer maps them to Discord's
// JSON error codes without re-deciding anything.
export const ErrorReasons = [
  'UNKNOWN_CHANNEL',
  'UNKNOWN_GUILD',
  'UNKNOWN_MEMBER',
  'UNKNOWN_MESSAGE',
  'UNKNOWN_ROLE',
  'UNKNOWN_USER',
  'UNKNOWN_INVITE',
  'UNKNOWN_SESSION',
  'UNKNOWN_APPLICATION',
  /** bot accounts may not do this (create applications, accept invites) */
  'BOTS_FORBIDDEN',
  /** MAX_BOTS_PER_USER reached */
  'MAX_APPLICATIONS',
  'MISSING_ACCESS',
  'MISSING_PERMISSIONS',
  'NOT_AUTHOR',
  'EMPTY_MESSAGE',
  'NOT_TEXT_CHANNEL',
  'INVALID_CREDENTIALS',
  'INVALID_TOKEN',
  'USERNAME_TAKEN',
  'EMAIL_TAKEN',
  'RATE_LIMITED',
  /** GATEWAY_MAX_SESSIONS_PER_USER gateway sessions and events.stream subscriptions are open */
  'TOO_MANY_SESSIONS',
  'SLOWMODE',
  'ROLE_HIERARCHY',
  'OWNER_ONLY',
  'CANNOT_DM_SELF',
  /** opening a DM with someone who shares no guild with the caller (DM_REQUIRE_SHARED_GUILD) */
  'CANNOT_DM_USER',
  /** MAX_GUILDS_PER_USER, MAX_ROLES_PER_GUILD, MAX_CHANNELS_PER_GUILD, MAX_EMOJIS_PER_GUILD (static and animated apart) */
  'MAX_GUILDS',
  'MAX_ROLES',
  'MAX_CHANNELS',
  'MAX_EMOJIS',
  'INVALID_FORM_BODY',
  'UNKNOWN_REPLY',
  'UNKNOWN_EMOJI',
  'MAX_REACTIONS',
  'MAX_PINS',
  'BULK_DELETE_TOO_OLD',
  'UNKNOWN_BAN',
  /** joining (invite, bot authorization) a guild the user is banned from */
  'BANNED',
  /** a bulk ban that banned nobody */
  'BULK_BAN_FAILED',
  'SERVICE_UNAVAILABLE',
  /** the current password given to confirm an account change is not the account's */
  'WRONG_PASSWORD',
  /** REGISTRATION=closed */
  'REGISTRATION_CLOSED',
  /** REGISTRATION=invite without a usable guild invite or registration token */
  'REGISTRATION_INVITE_REQUIRED',
  /** the account was disabled by an instance administrator */
  'ACCOUNT_DISABLED',
  /** deleting an account that still owns guilds (transfer or delete them first, as on Discord) */
  'OWNS_GUILDS',
  /** admin.* called by someone who is not an instance administrator */
  'NOT_ADMIN',
  /** an upload over MAX_UPLOAD_BYTES (one file) or MAX_UPLOAD_REQUEST_BYTES (one request), or over 10 files */
  'FILE_TOO_LARGE',
  /** a message refers to an attachment that is neither its own nor a staged upload of the caller's in that channel */
  'UNKNOWN_ATTACHMENT',
  /** image data (a data URI) that is not a PNG, JPEG, GIF or WebP image, or too big */
  'INVALID_IMAGE',
] as const;

export type ErrorReason = (typeof ErrorReasons)[number];
