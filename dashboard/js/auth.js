// Sign-in with the Cognito user pool named in /config.json (USER_PASSWORD_AUTH), tokens in sessionStorage
// (gone when the tab closes), refreshed a minute before they expire.

const KEY = "lae.session";
let config = null;
let refreshTimer = null;

export async function loadConfig() {
  if (!config) {
    const response = await fetch("config.json");
    if (!response.ok) throw new Error(`could not load config.json (${response.status})`);
    config = await response.json();
  }
  return config;
}

async function cognito(action, body) {
  const { cognitoEndpoint, region } = await loadConfig();
  const endpoint = cognitoEndpoint || `https://cognito-idp.${region}.amazonaws.com/`;
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const kind = (data.__type || "").split("#").pop();
    const words = {
      NotAuthorizedException: "Wrong email or password.",
      UserNotFoundException: "Wrong email or password.",
      PasswordResetRequiredException: "Your password must be reset by an admin.",
      TooManyRequestsException: "Too many attempts; wait a moment and try again.",
      InvalidPasswordException: `That password is not allowed: ${data.message || "see the rules above"}.`,
      CodeMismatchException: "That code is not right: type the 6 digits your authenticator app shows now.",
      EnableSoftwareTokenMFAException: "That code is not right: type the 6 digits your authenticator app shows now.",
    };
    throw new Error(words[kind] || data.message || `Sign-in failed (${response.status}).`);
  }
  return data;
}

function claims(token) {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), "=")));
}

function save(result, refreshToken) {
  const session = {
    idToken: result.IdToken,
    accessToken: result.AccessToken, // for the user's own Cognito calls (two-step sign-in)
    refreshToken: result.RefreshToken || refreshToken,
    expiresAt: claims(result.IdToken).exp * 1000,
  };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  scheduleRefresh(session);
  return session;
}

function scheduleRefresh(session) {
  clearTimeout(refreshTimer);
  const wait = Math.max(5_000, session.expiresAt - Date.now() - 60_000);
  refreshTimer = setTimeout(() => refresh().catch(() => logout()), wait);
}

// The sign-in challenges the dashboard answers: a user an admin created with a temporary password chooses
// their own (completeNewPassword); a user with two-step sign-in gives their app's code (completeMfa).
const ANSWERED_CHALLENGES = ["NEW_PASSWORD_REQUIRED", "SOFTWARE_TOKEN_MFA"];

// Returns the session, or {challenge, username, cognitoSession} for one of ANSWERED_CHALLENGES.
export async function login(email, password) {
  const { userPoolClientId } = await loadConfig();
  const data = await cognito("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: userPoolClientId,
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  if (ANSWERED_CHALLENGES.includes(data.ChallengeName)) {
    const username = (data.ChallengeParameters || {}).USER_ID_FOR_SRP || email;
    return { challenge: data.ChallengeName, username, cognitoSession: data.Session };
  }
  if (!data.AuthenticationResult) {
    throw new Error(`This account needs a sign-in step (${data.ChallengeName}) an admin must clear first.`);
  }
  return save(data.AuthenticationResult);
}

// The second step for a user who turned on two-step sign-in: the code from their authenticator app.
export const completeMfa = (challenge, code) =>
  answerChallenge(challenge, "SOFTWARE_TOKEN_MFA", { SOFTWARE_TOKEN_MFA_CODE: code }, "Sign in again.");

// Two-step sign-in for the signed-in user: whether it is on, its setup (a key for the authenticator
// app, then a code from it to prove it works) and turning it off.
export async function mfaEnabled() {
  const data = await cognito("GetUser", { AccessToken: current().accessToken });
  return (data.UserMFASettingList || []).includes("SOFTWARE_TOKEN_MFA");
}
export async function startMfaSetup() {
  return (await cognito("AssociateSoftwareToken", { AccessToken: current().accessToken })).SecretCode;
}
export async function finishMfaSetup(code) {
  const token = current().accessToken;
  await cognito("VerifySoftwareToken", { AccessToken: token, UserCode: code, FriendlyDeviceName: "dashboard" });
  await cognito("SetUserMFAPreference", { AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } });
}
export async function turnOffMfa() {
  await cognito("SetUserMFAPreference", { AccessToken: current().accessToken, SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false } });
}

export const completeNewPassword = (challenge, newPassword) =>
  answerChallenge(challenge, "NEW_PASSWORD_REQUIRED", { NEW_PASSWORD: newPassword }, "Sign in again with your new password.");

// One answer to a sign-in challenge (login() returned it): a session, or `retry` in words.
async function answerChallenge(challenge, name, responses, retry) {
  const { userPoolClientId } = await loadConfig();
  const data = await cognito("RespondToAuthChallenge", {
    ChallengeName: name,
    ClientId: userPoolClientId,
    Session: challenge.cognitoSession,
    ChallengeResponses: { USERNAME: challenge.username, ...responses },
  });
  if (!data.AuthenticationResult) throw new Error(retry);
  return save(data.AuthenticationResult);
}

export async function refresh() {
  const session = current();
  if (!session) throw new Error("not signed in");
  const { userPoolClientId } = await loadConfig();
  const data = await cognito("InitiateAuth", {
    AuthFlow: "REFRESH_TOKEN_AUTH",
    ClientId: userPoolClientId,
    AuthParameters: { REFRESH_TOKEN: session.refreshToken },
  });
  return save(data.AuthenticationResult, session.refreshToken);
}

export function current() {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  const session = JSON.parse(raw);
  if (session.expiresAt <= Date.now()) return null;
  if (!refreshTimer) scheduleRefresh(session);
  return session;
}

// Signs out here and revokes the refresh token at Cognito (RevokeToken), so a copy of it taken from this
// tab cannot mint new tokens. The page signs out even if Cognito cannot be reached.
export async function logout() {
  clearTimeout(refreshTimer);
  refreshTimer = null;
  const raw = sessionStorage.getItem(KEY);
  sessionStorage.removeItem(KEY);
  window.dispatchEvent(new Event("lae:logout"));
  const refreshToken = raw ? JSON.parse(raw).refreshToken : null;
  if (!refreshToken) return;
  try {
    const { userPoolClientId } = await loadConfig();
    await cognito("RevokeToken", { Token: refreshToken, ClientId: userPoolClientId });
  } catch {
    /* signed out here; the token expires on its own */
  }
}
