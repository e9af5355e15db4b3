#!/usr/bin/env bash
# Generate the puretls test PKI with the OpenSSL 3.0 CLI only. Usage: gen-pki.sh OUTDIR
# Used by the X.509 tests and the conformance matrix; nothing here is committed key material.
# Provenance: adapted from the team's verified recipe (shared/recipes/gen-pki.sh, CONFORMANCE.md §2.4, §6.2).
set -euo pipefail
OUT=${1:-pki}; mkdir -p "$OUT"; cd "$OUT"
SAN_LOCAL="DNS:localhost,DNS:test.local,IP:127.0.0.1,IP:::1"

# ---- extension profiles (one file, several sections) ----
cat > ext.cnf <<'CNF'
[ca_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ca_int]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:http://127.0.0.1:8888/int.crl
authorityInfoAccess = OCSP;URI:http://127.0.0.1:8889/
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = ${ENV::SAN}
authorityInfoAccess = OCSP;URI:http://127.0.0.1:8889/
[leaf_nosan]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
[leaf_clientauth_only]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = ${ENV::SAN}
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = email:client@test.local
[ca_int_notca]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ca_int_nc]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
nameConstraints = critical,permitted;DNS:example.com
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
export SAN="$SAN_LOCAL"

key() { # name algo
  case $2 in
    rsa2048) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $1.key ;;
    rsa3072) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out $1.key ;;
    rsa1024) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out $1.key ;;
    rsapss)  openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out $1.key ;;
    p256)    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out $1.key ;;
    p384)    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve -out $1.key ;;
    p521)    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -pkeyopt ec_param_enc:named_curve -out $1.key ;;
    ed25519) openssl genpkey -algorithm ED25519 -out $1.key ;;
    ed448)   openssl genpkey -algorithm ED448 -out $1.key ;;
  esac
}
sign() { # name issuer section days [extra x509 args...]
  local n=$1 iss=$2 sec=$3 days=$4; shift 4
  openssl req -new -key $n.key -subj "/CN=$n" -out $n.csr
  openssl x509 -req -in $n.csr -CA $iss.pem -CAkey $iss.key -CAcreateserial \
      -days $days -extfile ext.cnf -extensions $sec -out $n.pem "$@"
}

# ---- trusted hierarchy: RSA-3072 root -> ECDSA P-384 intermediate -> leaves ----
key ca-root rsa3072
openssl req -x509 -new -key ca-root.key -subj "/CN=Test Root CA" -days 3650 \
    -config ext.cnf -extensions ca_root -sha256 -out ca-root.pem
key ca-int p384; sign ca-int ca-root ca_int 1825 -sha384
# a second, RSA intermediate (for pure-RSA chains)
key ca-int-rsa rsa2048; sign ca-int-rsa ca-root ca_int 1825 -sha256

for spec in rsa2048:rsa2048 rsapss:rsapss ecdsa-p256:p256 ecdsa-p384:p384 ecdsa-p521:p521 ed25519:ed25519 ed448:ed448; do
  n=leaf-${spec%%:*}; key $n ${spec##*:}; sign $n ca-int leaf 365
  cat $n.pem ca-int.pem > $n.chain.pem          # leaf + intermediate (what a server sends)
done
# RSA leaf under the RSA intermediate, issuer signature RSA-PSS (rsassaPss in the cert itself)
key leaf-rsa2048-pss-signed rsa2048
sign leaf-rsa2048-pss-signed ca-int-rsa leaf 365 -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest
cat leaf-rsa2048-pss-signed.pem ca-int-rsa.pem > leaf-rsa2048-pss-signed.chain.pem
# SNI alternate cert, issued directly by the root (s_server 3.0 has no chain option for -cert2)
export SAN="DNS:sni.test.local"; key leaf-sni p256; sign leaf-sni ca-root leaf 365; export SAN="$SAN_LOCAL"
# client certificates
for spec in client-ecdsa:p256 client-rsa:rsa2048 client-ed25519:ed25519 client-ecdsa-p384:p384 client-rsapss:rsapss; do
  key ${spec%%:*} ${spec##*:}; sign ${spec%%:*} ca-int client 365
  cat ${spec%%:*}.pem ca-int.pem > ${spec%%:*}.chain.pem   # leaf + intermediate (what a client sends)
done
# the same client keys in the traditional containers: SEC1 "EC PRIVATE KEY" and PKCS#1 "RSA PRIVATE KEY"
openssl ec -in client-ecdsa.key -out client-ecdsa.sec1.key 2>/dev/null
openssl rsa -in client-rsa.key -traditional -out client-rsa.pkcs1.key 2>/dev/null
cat ca-root.pem > trust-root.pem                      # what the client under test trusts
# single-key-type hierarchies for the benchmark (issue 16): ECDSA P-256 end to end, RSA-2048 end to end
for kind in p256:ecdsa-only rsa2048:rsa-only; do
  alg=${kind%%:*}; n=${kind##*:}
  key $n-root $alg
  openssl req -x509 -new -key $n-root.key -subj "/CN=Bench $n Root" -days 3650 -config ext.cnf -extensions ca_root -sha256 -out $n-root.pem
  key $n-int $alg; sign $n-int $n-root ca_int 1825 -sha256
  key $n-leaf $alg; sign $n-leaf $n-int leaf 365 -sha256
done

# external PSK for gnutls-serv --pskpasswd (identity:hex key; the same key the s_server -psk rows use)
echo "puretls-device-1:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" > psk.passwd

# ---- badssl-style negative fixtures ----
export SAN="DNS:wrong.host.example"; key bad-wronghost p256; sign bad-wronghost ca-int leaf 365; export SAN="$SAN_LOCAL"
key bad-sha1 rsa2048; sign bad-sha1 ca-int-rsa leaf 365 -sha1
key bad-rsa1024 rsa1024; sign bad-rsa1024 ca-int-rsa leaf 365
key bad-nosan p256; openssl req -new -key bad-nosan.key -subj "/CN=localhost" -out bad-nosan.csr
openssl x509 -req -in bad-nosan.csr -CA ca-int.pem -CAkey ca-int.key -CAcreateserial -days 365 -extfile ext.cnf -extensions leaf_nosan -out bad-nosan.pem
key bad-eku p256; sign bad-eku ca-int leaf_clientauth_only 365
key bad-selfsigned p256
openssl req -x509 -new -key bad-selfsigned.key -subj "/CN=localhost" -days 365 -addext "subjectAltName=$SAN_LOCAL" -out bad-selfsigned.pem
# untrusted root (same shape as the real one, different key)
key evil-root p256
openssl req -x509 -new -key evil-root.key -subj "/CN=Test Root CA" -days 3650 -config ext.cnf -extensions ca_root -out evil-root.pem
key bad-untrusted p256; sign bad-untrusted evil-root leaf 365
# intermediate that is not a CA (basicConstraints CA:FALSE)
key ca-int-notca p256; sign ca-int-notca ca-root ca_int_notca 365
key bad-notca-chain p256; sign bad-notca-chain ca-int-notca leaf 365
cat bad-notca-chain.pem ca-int-notca.pem > bad-notca-chain.chain.pem
# intermediate with nameConstraints permitted;DNS:example.com -> leaf for localhost violates it
key ca-int-nc p256; sign ca-int-nc ca-root ca_int_nc 365
key bad-nameconstraint p256; sign bad-nameconstraint ca-int-nc leaf 365
cat bad-nameconstraint.pem ca-int-nc.pem > bad-nameconstraint.chain.pem
for n in bad-wronghost bad-sha1 bad-rsa1024 bad-nosan bad-eku; do
  case $n in bad-sha1|bad-rsa1024) i=ca-int-rsa;; *) i=ca-int;; esac
  cat $n.pem $i.pem > $n.chain.pem
done
cat bad-untrusted.pem evil-root.pem > bad-untrusted.chain.pem

# "secure but weird": 1000 SANs (multi-record Certificate message), empty subject with critical SAN
export SAN="DNS:localhost,$(seq -f 'DNS:host%g.test.local' 1 1000 | paste -sd,)"
key weird-1000-sans p256; sign weird-1000-sans ca-int leaf 365; export SAN="$SAN_LOCAL"
key weird-no-subject p256; openssl req -new -key weird-no-subject.key -subj "/" -out weird-no-subject.csr
printf '[ns]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=critical,%s\n' "$SAN_LOCAL" > ns.cnf
openssl x509 -req -in weird-no-subject.csr -CA ca-int.pem -CAkey ca-int.key -CAcreateserial -days 365 -extfile ns.cnf -extensions ns -out weird-no-subject.pem
for n in weird-1000-sans weird-no-subject; do cat $n.pem ca-int.pem > $n.chain.pem; done

# ---- expired / not-yet-valid / revoked need `openssl ca` (x509 -req cannot back-date in 3.0) ----
mkdir -p ca-db && : > ca-db/index.txt && echo 1000 > ca-db/serial && echo 1000 > ca-db/crlnumber
cat > ca.cnf <<'CNF'
[ca]
default_ca = int
[int]
dir = ca-db
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir
certificate = ca-int.pem
private_key = ca-int.key
default_md = sha384
default_days = 365
default_crl_days = 30
policy = any
copy_extensions = none
unique_subject = no
[any]
commonName = supplied
CNF
openssl_ca() { openssl ca -config ca.cnf -batch -notext -extfile ext.cnf -extensions leaf "$@"; }
key bad-expired p256; openssl req -new -key bad-expired.key -subj "/CN=bad-expired" -out bad-expired.csr
openssl_ca -in bad-expired.csr -startdate 20200101000000Z -enddate 20210101000000Z -out bad-expired.pem
key bad-notyetvalid p256; openssl req -new -key bad-notyetvalid.key -subj "/CN=bad-notyetvalid" -out bad-notyetvalid.csr
openssl_ca -in bad-notyetvalid.csr -startdate 20400101000000Z -enddate 20410101000000Z -out bad-notyetvalid.pem
key bad-revoked p256; openssl req -new -key bad-revoked.key -subj "/CN=bad-revoked" -out bad-revoked.csr
openssl_ca -in bad-revoked.csr -days 365 -out bad-revoked.pem
key good-ocsp p256; openssl req -new -key good-ocsp.key -subj "/CN=good-ocsp" -out good-ocsp.csr
openssl_ca -in good-ocsp.csr -days 365 -out good-ocsp.pem
openssl ca -config ca.cnf -revoke bad-revoked.pem -crl_reason keyCompromise
openssl ca -config ca.cnf -gencrl -out ca-int.crl.pem
for n in bad-expired bad-notyetvalid bad-revoked good-ocsp; do cat $n.pem ca-int.pem > $n.chain.pem; done
# OCSP responses (signed directly by the intermediate) for stapling via s_server -status_file
for n in bad-revoked good-ocsp; do
  openssl ocsp -issuer ca-int.pem -cert $n.pem -no_nonce -reqout $n.ocspreq.der
  openssl ocsp -index ca-db/index.txt -CA ca-int.pem -rsigner ca-int.pem -rkey ca-int.key \
      -reqin $n.ocspreq.der -respout $n.ocsp.der -ndays 7 >/dev/null
done
# a response for good-ocsp signed by a key that is not the issuer's and has no OCSP-signing EKU
openssl ocsp -index ca-db/index.txt -CA ca-int.pem -rsigner leaf-ecdsa-p256.pem -rkey leaf-ecdsa-p256.key \
    -reqin good-ocsp.ocspreq.der -respout good-ocsp.wrongsigner.ocsp.der -ndays 7 >/dev/null
# ffdhe / classic DH params for TLS1.2 DHE (ffdhe2048 is a named RFC 7919 group)
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out dh-ffdhe2048.pem

# ---- X.509 path-building fixtures (added for packages/tls-core/test/x509; nothing above changed) ----
cat > x509-ext.cnf <<'CNF'
[ca_sub]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ca_cross]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = ${ENV::SAN}
[leaf_unknown_critical]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = ${ENV::SAN}
1.3.6.1.4.1.55555.1 = critical,ASN1:NULL
[leaf_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyCertSign
extendedKeyUsage = serverAuth
subjectAltName = ${ENV::SAN}
CNF
sign2() { # name issuer section subject
  openssl req -new -key $1.key -subj "$4" -out $1.csr
  openssl x509 -req -in $1.csr -CA $2.pem -CAkey $2.key -CAcreateserial -days 365 -extfile x509-ext.cnf -extensions $3 -out $1.pem
}
# pathLenConstraint violated: ca-int (pathlen:0) -> ca-sub-pathlen (CA) -> bad-pathlen
key ca-sub-pathlen p256; sign2 ca-sub-pathlen ca-int ca_sub "/CN=ca-sub-pathlen"
key bad-pathlen p256; sign2 bad-pathlen ca-sub-pathlen leaf "/CN=bad-pathlen"
cat bad-pathlen.pem ca-sub-pathlen.pem ca-int.pem > bad-pathlen.chain.pem
# cross-signed root: "Cross Root New" exists self-signed (untrusted) and cross-signed by ca-root (same name, same key)
key xs-root-new p256
openssl req -x509 -new -key xs-root-new.key -subj "/CN=Cross Root New" -days 3650 -config x509-ext.cnf -extensions ca_cross -out xs-root-new.pem
cp xs-root-new.key xs-root-new-cross.key; sign2 xs-root-new-cross ca-root ca_cross "/CN=Cross Root New"
key xs-int p256; sign2 xs-int xs-root-new ca_sub "/CN=Cross Intermediate"
key good-cross p256; sign2 good-cross xs-int leaf "/CN=good-cross"
# what a server in transition sends: leaf, intermediate, the new root self-signed, then the cross-signed copy
cat good-cross.pem xs-int.pem xs-root-new.pem xs-root-new-cross.pem > good-cross.chain.pem
# unknown critical extension on the leaf; CA:TRUE leaf
key bad-unknown-critical p256; sign2 bad-unknown-critical ca-int leaf_unknown_critical "/CN=bad-unknown-critical"
key bad-ca-leaf p256; sign2 bad-ca-leaf ca-int leaf_ca "/CN=bad-ca-leaf"
for n in bad-unknown-critical bad-ca-leaf; do cat $n.pem ca-int.pem > $n.chain.pem; done
rm -f *.csr *.srl
echo "PKI written to $(pwd)"
