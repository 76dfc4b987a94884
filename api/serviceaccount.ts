// Well-known names of service accounts and their credentials (k8s.io/api/core/v1 constants:
// SecretTypeServiceAccountToken, ServiceAccountNameKey, ServiceAccountUIDKey…), shared by the
// apiserver (admission, token authentication), the controller-manager (token controller, root
// CA publisher), the kubelet and in-cluster clients.

export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';
/** Annotations of a service-account token Secret naming its account. */
export const SERVICE_ACCOUNT_NAME_KEY = 'kubernetes.io/service-account.name';
export const SERVICE_ACCOUNT_UID_KEY = 'kubernetes.io/service-account.uid';
/** Where a pod finds its token, ca.crt and namespace. */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The ConfigMap every namespace gets with the cluster's CA (key `ca.crt`). */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
