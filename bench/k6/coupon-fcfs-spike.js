// k6 run bench/k6/coupon-fcfs-spike.js -e BASE=http://localhost:8081 -e COUPON=11 -e USERS=1000
// The seed's spike: 0 -> 2,000 virtual users in 5 s, held for 15 s.
import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE || 'http://localhost:8081';
const COUPON = __ENV.COUPON || '11';
const USERS = parseInt(__ENV.USERS || '1000');

export const options = {
  stages: [{ duration: '5s', target: 2000 }, { duration: '15s', target: 2000 }, { duration: '2s', target: 0 }],
  thresholds: { http_req_failed: ['rate<0.001'] },
};

export default function () {
  const user = `demo-user-${1 + Math.floor(Math.random() * USERS)}`;
  const res = http.post(`${BASE}/api/coupons/${COUPON}/issue-fcfs/${user}`, null, { responseCallback: http.expectedStatuses(202, 409, 429) });
  check(res, { 'no 5xx': (r) => r.status < 500 });
}
