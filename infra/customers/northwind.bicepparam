// Example customer: Google Workspace only, public network, one instance per function group and a
// CMG that takes 4 requests at a time.
// Without azd: az deployment sub create --name northwind-prod -l <location> --parameters infra/customers/northwind.bicepparam
using '../main.bicep'

param environmentName = 'northwind-prod'
param location = 'northeurope'
param cmgBaseUrl = 'https://cmg.northwind.example/CMG Office'
param cmgMessageSystems = '1'
param oofCode = '5'
param defaultCode = '11'
param profiles = [
  {
    name: 'GWS'
    kind: 'google'
    domains: 'northwind.example,northwind-traders.example'
  }
]
param defaultTimeZone = 'Europe/Dublin'
param maximumInstanceCount = 1
param cmgMaxConcurrency = 4
