#!/usr/bin/env bash
# Upload the dashboard to its bucket after `sam deploy`, with the config.json it signs in with, then
# invalidate CloudFront. Usage: infra/deploy_dashboard.sh <stack-name> [region]
set -euo pipefail
stack="${1:?usage: infra/deploy_dashboard.sh <stack-name> [region]}"
# As the SDKs resolve it (`aws configure get region` alone reads only the config file, not the environment).
region="${2:-${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region || true)}}}"
[ -n "$region" ] || { echo "error: no AWS region: pass it, set AWS_REGION, or run aws configure" >&2; exit 2; }
cd "$(dirname "$0")/.."

output() {
  aws cloudformation describe-stacks --region "$region" --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
bucket="$(output DashboardBucketName)"
distribution="$(output DashboardDistributionId)"
config="$(mktemp)"
cat > "$config" <<JSON
{"region": "$region", "userPoolId": "$(output UserPoolId)", "userPoolClientId": "$(output UserPoolClientId)",
 "cognitoEndpoint": "https://cognito-idp.$region.amazonaws.com/", "apiBase": "$(output ApiUrl)"}
JSON

# Files change together; no build step (plain ES modules). config.json and index.html are never cached.
aws s3 sync dashboard/ "s3://$bucket/" --delete --region "$region" --exclude "config.json" \
  --cache-control "public, max-age=300"
aws s3 cp dashboard/index.html "s3://$bucket/index.html" --region "$region" --cache-control "no-cache"
aws s3 cp "$config" "s3://$bucket/config.json" --region "$region" --content-type application/json \
  --cache-control "no-cache"
aws cloudfront create-invalidation --distribution-id "$distribution" --paths "/*" >/dev/null
echo "dashboard: $(output DashboardUrl)"
