/**
 * A self-signed certificate for 127.0.0.1 / localhost / ::1, valid 2024–2124, used only by the
 * loopback emulators: msal-node refuses an authority that is not https
 * (msal-common UrlString.validateAsUri → authority_uri_insecure), so the Graph emulator serves
 * TLS. Clients trust it through the provider's `trustedCertificates` option. The key is public
 * on purpose: it protects nothing, and nothing outside tests and the dev host may trust it.
 */
export const LOOPBACK_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgq9mCb/Sgv1isQU0d
tXmoxf8KhpBXEUyQUNU4VWFlwKShRANCAATA8wfrPWg8YeHEt40ZgnfKwk4VxGAq
npKwnCrlHbyYa7WJYTEkOdb+WA/pZeNCpMEDz0vf+Vwd3GH01wKeP5pd
-----END PRIVATE KEY-----
`;

export const LOOPBACK_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIB1DCCAXqgAwIBAgIBATAKBggqhkjOPQQDAjAuMSwwKgYDVQQDDCNjbWctY2Fs
ZW5kYXItc3luYyBsb29wYmFjayBlbXVsYXRvcjAgFw0yNDAxMDEwMDAwMDBaGA8y
MTI0MDEwMTAwMDAwMFowLjEsMCoGA1UEAwwjY21nLWNhbGVuZGFyLXN5bmMgbG9v
cGJhY2sgZW11bGF0b3IwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATA8wfrPWg8
YeHEt40ZgnfKwk4VxGAqnpKwnCrlHbyYa7WJYTEkOdb+WA/pZeNCpMEDz0vf+Vwd
3GH01wKeP5pdo4GGMIGDMCwGA1UdEQQlMCOCCWxvY2FsaG9zdIcEfwAAAYcQAAAA
AAAAAAAAAAAAAAAAATAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIChDAT
BgNVHSUEDDAKBggrBgEFBQcDATAdBgNVHQ4EFgQUuupxhcp/o1A0KBYcENnTb5VU
MOQwCgYIKoZIzj0EAwIDSAAwRQIgev/MK3VhzxlsXmPbrjt2J5nAo0lVQkOCQtAi
iZis3fMCIQD3C+094rMWEUjoJlbAX+1B2p83bxW5BT7zFdGuDtGT4A==
-----END CERTIFICATE-----
`;
