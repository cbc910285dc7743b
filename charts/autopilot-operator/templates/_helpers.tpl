{{/* Names and labels shared by the templates. */}}

{{- define "autopilot-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: the release name alone when it already contains the chart's name. */}}
{{- define "autopilot-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "autopilot-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* What the Deployment selects its pods by (never changes across upgrades). */}}
{{- define "autopilot-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "autopilot-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "autopilot-operator.labels" -}}
helm.sh/chart: {{ include "autopilot-operator.chart" . }}
{{ include "autopilot-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "autopilot-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "autopilot-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name: the existing account to run as (serviceAccount.create is false)" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "autopilot-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository .Values.image.tag }}
{{- end }}

{{- define "autopilot-operator.metricsServiceName" -}}
{{- printf "%s-metrics" (include "autopilot-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The operator's rules on HelloWorldApps and their children: the same whether granted cluster-wide
(ClusterRole) or in watchNamespace (Role). Leases live in rbac-leader-election.yaml. Exactly its
calls: informers list and watch; server-side apply is a patch (and a create when the object is
new); status is applied through /status; finalizers/update lets ownerReferences set
blockOwnerDeletion. It never GETs or PUTs.
*/}}
{{- define "autopilot-operator.rules" -}}
- apiGroups: [autopilot-k8s.dev]
  resources: [helloworldapps]
  verbs: [list, watch]
- apiGroups: [autopilot-k8s.dev]
  resources: [helloworldapps/status]
  verbs: [patch]
- apiGroups: [autopilot-k8s.dev]
  resources: [helloworldapps/finalizers]
  verbs: [update]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [list, watch, create, patch, delete]
- apiGroups: ['']
  resources: [services]
  verbs: [list, watch, create, patch, delete]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end }}

{{/* The `helm test` pod's labels (the NetworkPolicy admits it). */}}
{{- define "autopilot-operator.testLabels" -}}
app.kubernetes.io/name: {{ include "autopilot-operator.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
