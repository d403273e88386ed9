// k6 run bench/k6/coupon-fcfs-quick.js -e BASE=http://localhost:8081 -e COUPON=11 -e USERS=1000
// The seed's quick test, with many distinct users (demo-user-1..N) so successes and rejections both happen.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';

const accepted = new Counter('coupon_accepted');
const rejected = new Counter('coupon_rejected');
const BASE = __ENV.BASE || 'http://localhost:8081';
const COUPON = __ENV.COUPON || '11';
const USERS = parseInt(__ENV.USERS || '1000');

export const options = {
  scenarios: { quick: { executor: 'constant-arrival-rate', rate: 500, timeUnit: '1s', duration: '30s', preAllocatedVUs: 200 } },
  thresholds: { http_req_failed: ['rate<0.01'], http_req_duration: ['p(99)<50'] },
};

export default function () {
  const user = `demo-user-${1 + Math.floor(Math.random() * USERS)}`;
  const res = http.post(`${BASE}/api/coupons/${COUPON}/issue-fcfs/${user}`, null, { responseCallback: http.expectedStatuses(202, 409) });
  if (res.status === 202) accepted.add(1); else if (res.status === 409) rejected.add(1);
  check(res, { 'answered 202 or 409': (r) => r.status === 202 || r.status === 409 });
}
