// The "restricted" Pod Security Standard, which every pod the operator creates meets, so a namespace
// labelled pod-security.kubernetes.io/enforce=restricted admits them. The images run as 1000:1000 and
// write only to the emptyDirs mounted for them.
import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';

export const RUN_AS_USER = 1000;

export const podSecurityContext: V1PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: RUN_AS_USER,
  runAsGroup: RUN_AS_USER,
  seccompProfile: { type: 'RuntimeDefault' },
};

export const containerSecurityContext: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};
