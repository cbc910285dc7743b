#!/usr/bin/env bash
# Generates the certificates, keys and kubeconfig of an envtest control plane (test/support/envtest.ts)
# with openssl. Idempotent: existing files are kept (the CA and certificates last ten years).
#   scripts/cluster/pki.sh envtest DIR API_URL  # CA, apiserver, admin, service-account keys
# DIR gets ca.{crt,key}, <name>.{crt,key}, sa.{key,pub}, and DIR/<name>.kubeconfig files.
set -euo pipefail
mode=$1 dir=$2 api_url=$3
mkdir -p "$dir"
cd "$dir"
umask 077

new_key() { [ -f "$1.key" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

ca() { # ca NAME CN
  [ -f "$1.crt" ] && return 0
  new_key "$1"
  openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 3650 -sha256 -out "$1.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
}

cert() { # cert NAME SUBJECT USAGE(client|server|both) [SAN] [CA]
  local name=$1 subj=$2 usage=$3 san=${4:-} ca=${5:-ca}
  [ -f "$name.crt" ] && return 0
  new_key "$name"
  local eku
  case $usage in client) eku=clientAuth ;; server) eku=serverAuth ;; both) eku=serverAuth,clientAuth ;; esac
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    echo "authorityKeyIdentifier=keyid"
    [ -n "$san" ] && echo "subjectAltName=$san"
  } > "$name.ext"
  openssl req -new -key "$name.key" -subj "$subj" 2>/dev/null \
    | openssl x509 -req -CA "$ca.crt" -CAkey "$ca.key" -set_serial "0x$(openssl rand -hex 16)" \
        -days 3650 -sha256 -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.ext"
}

kubeconfig() { # kubeconfig NAME CERT USER [SERVER]
  local out="$1.kubeconfig" server=${4:-$api_url}
  [ -f "$out" ] && grep -q "server: $server\$" "$out" && return 0
  cat > "$out.tmp" <<KC
apiVersion: v1
kind: Config
clusters:
- name: autopilot-k8s
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 ca.crt)
users:
- name: $3
  user:
    client-certificate-data: $(base64 -w0 "$2.crt")
    client-key-data: $(base64 -w0 "$2.key")
contexts:
- name: $3@autopilot-k8s
  context:
    cluster: autopilot-k8s
    user: $3
current-context: $3@autopilot-k8s
KC
  mv "$out.tmp" "$out"
}

sa_keys() {
  [ -f sa.key ] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key 2>/dev/null
  [ -f sa.pub ] || openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
}

api_sans="DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1"

ca ca autopilot-k8s-ca
sa_keys
cert admin "/O=system:masters/CN=kubernetes-admin" client
kubeconfig admin admin kubernetes-admin

case $mode in
  envtest)
    cert apiserver "/CN=kube-apiserver" server "$api_sans"
    ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
