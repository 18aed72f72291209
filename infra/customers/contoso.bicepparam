// Example customer: one Microsoft 365 tenant and, while mailboxes move there, the Exchange Server
// they come from (same domain, tried second); a new VNet whose NAT gateway gives CMG and Exchange
// one source address, the CMG and Exchange certificates signed by an internal CA, alerts by email.
// Without azd: az deployment sub create --name contoso-prod -l <location> --parameters infra/customers/contoso.bicepparam
using '../main.bicep'

param environmentName = 'contoso-prod'
param location = 'swedencentral'
param cmgBaseUrl = 'https://cmg.contoso.com/CMG Office'
param cmgApplication = 'EXCHANGE'
param cmgMessageSystems = '1,3'
param oofCode = '5'
param defaultCode = '11'
param profiles = [
  {
    name: 'M365'
    kind: 'graph'
    domains: 'contoso.com'
    tenantId: '00000000-0000-0000-0000-00000000c0de'
    clientId: '11111111-1111-1111-1111-111111111111'
    credential: 'certificate'
    certificateThumbprint: '0123456789ABCDEF0123456789ABCDEF01234567'
  }
  {
    name: 'ONPREM'
    kind: 'exchange'
    domains: 'contoso.com'
    ewsUrl: 'https://mail.contoso.com/EWS/Exchange.asmx'
    userName: 'CONTOSO\\svc-calsync'
    caCertificate: true
  }
]
param defaultTimeZone = 'Europe/Stockholm'
param categoryCodes = {
  Vacation: '5'
  'Customer visit': '21'
}
param subscribeOffStart = '01:00'
param subscribeOffEnd = '03:00'
param subscribeOffTimezone = 'Europe/Stockholm'
param virtualNetwork = 'new'
param vnetAddressPrefix = '10.40.0.0/16'
param cmgCaCertificate = true
param alertEmail = 'calendar-sync-ops@contoso.com'
