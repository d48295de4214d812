// An OpenID provider for Tandem's single sign-on tests: oidc-provider
// (from npm) with three people and an interaction that signs in whoever
// the authorisation request names in `login_hint`, granting what was
// asked.
//
//   node provider.mjs PORT REDIRECT_URIS ID_TOKEN_TTL_SECONDS
//
// REDIRECT_URIS: the client's callback addresses, comma-separated.
//
// Prints "ready" once it listens.

import http from 'node:http';
import Provider from 'oidc-provider';

const [port, redirect, idTtl] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const people = {
  ada: { sub: 'ada', email: 'ada.sso@corp.example', email_verified: true, name: 'Ada Sso', groups: ['tandem-pms'] },
  pat: { sub: 'pat', email: 'pm@demo.example', email_verified: true, name: 'Pat Project', groups: [] },
  eve: { sub: 'eve', email: 'eve@corp.example', email_verified: false, name: 'Eve Unverified', groups: [] },
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'tandem',
    client_secret: 'tandem-test-secret',
    redirect_uris: redirect.split(','),
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { IdToken: Number(idTtl), AccessToken: 600, AuthorizationCode: 600, Interaction: 600, Session: 600, Grant: 600 },
  async findAccount(ctx, id) {
    const person = people[id];
    if (!person) return undefined;
    return { accountId: id, async claims() { return person; } };
  },
});

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  try {
    if (req.url.startsWith('/interaction/')) {
      const details = await provider.interactionDetails(req, res);
      const accountId = details.params.login_hint || 'ada';
      const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
      return;
    }
    callback(req, res);
  } catch (e) {
    res.statusCode = 500;
    res.end(String(e));
  }
});
server.listen(Number(port), '127.0.0.1', () => console.log('ready'));
