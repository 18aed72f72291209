// Log Analytics + workspace-based Application Insights, Entra ID ingestion only (local auth off).
param logAnalyticsName string
param applicationInsightsName string
param location string
param tags { *: string } = {}
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

// Log Analytics workspace behind Application Insights
resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

// Application Insights; DisableLocalAuth: telemetry is accepted only with an Entra ID token
// (the app sends APPLICATIONINSIGHTS_AUTHENTICATION_STRING with its identity)
resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true
  }
}

output applicationInsightsName string = applicationInsights.name
output connectionString string = applicationInsights.properties.ConnectionString
output logAnalyticsName string = logAnalytics.name
