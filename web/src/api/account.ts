import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import {
  ApiError,
  apiDelete,
  apiGet,
  apiPage,
  apiPost,
  apiPut,
  currentCsrfToken,
  onSignedOut,
  type Params,
  setCsrfToken,
} from './client.ts';
import type {
  ApiKey,
  AuditEntry,
  LoggedOutEverywhere,
  Me,
  NewApiKey,
  NewApiKeyBody,
  NewUserBody,
  PasswordChangeBody,
  RecoveryCodes,
  SignIn,
  SignInBody,
  TotpConfirmBody,
  TotpDisableBody,
  TotpEnrolment,
  User,
  UserChangeBody,
  UserPasswordBody,
} from './types.ts';

/**
 * The signed-in user and their account. The session cookie is httpOnly, so the page cannot see
 * whether it has one; asking GET /auth/me on every visit would cost every anonymous reader a 401.
 * Instead the browser remembers (localStorage, plus memory for when storage is refused) that it
 * signed in, and only then asks. The server stays the judge: a 401 anywhere forgets it again.
 */
const HINT_KEY = 'dao-portal-signed-in';
let hintInMemory = false;
const hintListeners = new Set<() => void>();

function readHint(): boolean {
  try {
    return localStorage.getItem(HINT_KEY) === '1';
  } catch {
    return hintInMemory;
  }
}

export function setSignedInHint(on: boolean) {
  hintInMemory = on;
  try {
    if (on) localStorage.setItem(HINT_KEY, '1');
    else localStorage.removeItem(HINT_KEY);
  } catch {
    // storage refused (private mode): the memory copy lasts for this page
  }
  for (const listener of hintListeners) listener();
}

function subscribeHint(listener: () => void) {
  hintListeners.add(listener);
  // Another tab signing in or out changes the same cookie jar.
  const onStorage = (event: StorageEvent) => (event.key === HINT_KEY || event.key === null) && listener();
  window.addEventListener('storage', onStorage);
  return () => {
    hintListeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

onSignedOut(() => setSignedInHint(false));

export const ME = ['me'] as const;
/** Lists that belong to whoever is signed in; dropped when that changes. */
const ACCOUNT = ['account'] as const;

async function fetchMe(signal?: AbortSignal): Promise<Me | null> {
  try {
    const me = await apiGet<Me>('/auth/me', {}, signal);
    setCsrfToken(me.csrf_token);
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

const meQuery = { queryKey: ME, queryFn: ({ signal }: { signal: AbortSignal }) => fetchMe(signal) };

/**
 * Who is signed in: `me` is undefined while asking, null when signed out. `loading` is true only
 * while a remembered session is being checked.
 */
export function useMe() {
  const client = useQueryClient();
  const hinted = useSyncExternalStore(subscribeHint, readHint, () => false);
  const query = useQuery({ ...meQuery, enabled: hinted, staleTime: 60_000 });
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key !== HINT_KEY && event.key !== null) return;
      // Signed in or out in another tab: the cached identity and token may be someone else's.
      setCsrfToken(null);
      void client.invalidateQueries({ queryKey: ME }, { cancelRefetch: false });
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [client]);
  const me = hinted ? query.data : null;
  return { me, loading: hinted && query.isPending, error: query.error };
}

export const canWrite = (me: Me | null | undefined) => me?.user.role === 'admin' || me?.user.role === 'editor';
export const isAdmin = (me: Me | null | undefined) => me?.user.role === 'admin';

/** After a sign-in or sign-out: another user's lists go, and what this browser may read is read again. */
function useIdentityChanged() {
  const client = useQueryClient();
  return () => {
    client.removeQueries({ queryKey: ACCOUNT });
    void client.invalidateQueries({ predicate: (query) => query.queryKey[0] !== ME[0] });
  };
}

function useSignedOut() {
  const changed = useIdentityChanged();
  return () => {
    setCsrfToken(null);
    setSignedInHint(false);
    changed();
  };
}

export function useLogin() {
  const client = useQueryClient();
  const changed = useIdentityChanged();
  return useMutation({
    mutationFn: async (body: SignInBody) => {
      const send = () => apiPost<SignIn>('/auth/login', body);
      let signed: SignIn;
      try {
        signed = await send();
      } catch (error) {
        // A live session cookie this page did not know of (site data half cleared) makes the sign-in
        // a cookie write, which the server refuses without that session's token: fetch it, try again.
        if (!(error instanceof ApiError && error.status === 403 && !currentCsrfToken())) throw error;
        if (!(await fetchMe())) throw error;
        signed = await send();
      }
      setCsrfToken(signed.csrf_token);
      const me = await client.fetchQuery({ ...meQuery, staleTime: 0 });
      setSignedInHint(true);
      changed();
      return me;
    },
  });
}

/** Already signed out (the 401) is what signing out wanted. */
const ignoreSignedOut = (error: unknown) => {
  if (error instanceof ApiError && error.status === 401) return null;
  throw error;
};

export function useLogout() {
  const signedOut = useSignedOut();
  return useMutation({
    mutationFn: () => apiPost<null>('/auth/logout').catch(ignoreSignedOut),
    onSuccess: signedOut,
  });
}

export function useLogoutAll() {
  const signedOut = useSignedOut();
  return useMutation({
    mutationFn: () => apiPost<LoggedOutEverywhere>('/auth/logout-all').catch(ignoreSignedOut),
    onSuccess: signedOut,
  });
}

/** The server ends every session of the user on a password change, this one included. */
export function useChangePassword() {
  const signedOut = useSignedOut();
  return useMutation({
    mutationFn: (body: PasswordChangeBody) => apiPost<null>('/auth/password', body),
    onSuccess: signedOut,
  });
}

export function useStartTotp() {
  return useMutation({ mutationFn: () => apiPost<TotpEnrolment>('/auth/totp/start') });
}

export function useConfirmTotp() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: TotpConfirmBody) => apiPost<RecoveryCodes>('/auth/totp/confirm', body),
    onSuccess: () => client.invalidateQueries({ queryKey: ME }),
  });
}

export function useDisableTotp() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: TotpDisableBody) => apiPost<null>('/auth/totp/disable', body),
    onSuccess: () => client.invalidateQueries({ queryKey: ME }),
  });
}

const KEYS = [...ACCOUNT, 'keys'];
export const useKeys = (enabled: boolean) =>
  useQuery({ queryKey: KEYS, queryFn: ({ signal }) => apiGet<ApiKey[]>('/keys', {}, signal), enabled });

export function useCreateKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewApiKeyBody) => apiPost<NewApiKey>('/keys', body),
    onSuccess: () => client.invalidateQueries({ queryKey: KEYS }),
  });
}

export function useRevokeKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => apiDelete<ApiKey>(`/keys/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: KEYS }),
  });
}

const USERS = [...ACCOUNT, 'users'];
export const useUsers = (enabled: boolean) =>
  useQuery({ queryKey: USERS, queryFn: ({ signal }) => apiGet<User[]>('/users', {}, signal), enabled });

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewUserBody) => apiPost<User>('/users', body),
    onSuccess: () => client.invalidateQueries({ queryKey: USERS }),
  });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: number; change: UserChangeBody }) => apiPut<User>(`/users/${id}`, change),
    onSuccess: () => client.invalidateQueries({ queryKey: USERS }),
  });
}

export function useSetUserPassword() {
  return useMutation({
    mutationFn: ({ id, ...body }: { id: number } & UserPasswordBody) => apiPost<null>(`/users/${id}/password`, body),
  });
}

export const useAudit = (params: Params, enabled: boolean) =>
  useQuery({
    queryKey: [...ACCOUNT, 'audit', params],
    queryFn: ({ signal }) => apiPage<AuditEntry>('/audit', params, signal),
    enabled,
    placeholderData: keepPreviousData,
  });
