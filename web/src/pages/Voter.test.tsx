// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EnsName, VoterProfile } from '../api/types.ts';
import { AddressLink } from '../components/AddressLink.tsx';
import { stubApi } from '../test/api-stub.ts';
import { renderInApp } from '../test/render.tsx';
import VoterPage from './Voter.tsx';

const ADDRESS = '0x9dab43bc15bd29cfe3030ca1b7edb3eeb9f3b6c1';

function profileOf(ens: EnsName | null): VoterProfile {
  return {
    address: ADDRESS,
    ens,
    votes_total: 0,
    first_vote: null,
    last_vote: null,
    daos: [],
    alignment: { counted: 0, with_outcome: 0, rate: null },
    delegations: [],
    delegators: [],
    power_history: [],
    votes: [],
  };
}

function renderVoter(ens: EnsName | null) {
  stubApi({
    [`GET /voters/${ADDRESS}`]: () => ({
      body: {
        status: 'success',
        data: profileOf(ens),
        pagination: { page: 1, per_page: 25, total: 0, pages: 0, next_cursor: null },
      },
    }),
  });
  renderInApp(
    <Routes>
      <Route path="/voters/:address" element={<VoterPage />} />
    </Routes>,
    `/voters/${ADDRESS}`,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('ENS names on the dashboard', () => {
  it('AddressLink shows the name when known and the short address otherwise, the full address in its title', () => {
    renderInApp(
      <>
        <AddressLink address={ADDRESS} ens={{ name: 'delegate.eth', avatar: null }} />
        <AddressLink address={ADDRESS.toUpperCase().replace('0X', '0x')} ens={null} />
      </>,
      '/',
    );
    const [named, plain] = screen.getAllByRole('link');
    expect(named!.textContent).toBe('delegate.eth');
    expect(named!.getAttribute('title')).toBe(ADDRESS);
    expect(named!.getAttribute('href')).toBe(`/voters/${ADDRESS}`);
    expect(plain!.textContent).not.toContain('delegate.eth');
    expect(plain!.textContent).toMatch(/^0x9DAB/i);
    expect(plain!.getAttribute('title')).toBe(ADDRESS.toUpperCase().replace('0X', '0x'));
    expect(plain!.getAttribute('href')).toBe(`/voters/${ADDRESS}`);
  });

  it('heads the voter profile with the name, its https avatar and the full address', async () => {
    renderVoter({ name: 'delegate.eth', avatar: 'https://images.example.org/d.png' });
    const heading = await screen.findByRole('heading', { level: 1, name: /delegate\.eth/ });
    const avatar = screen.getByRole('img', { name: 'Avatar of delegate.eth' });
    expect(heading.contains(avatar)).toBe(true);
    expect(avatar.getAttribute('src')).toBe('https://images.example.org/d.png');
    expect(await screen.findByText(new RegExp(ADDRESS))).toBeTruthy();
  });

  it('shows no avatar whose URL fails the https/data rule, and the address as the title without a name', async () => {
    for (const avatar of [
      'http://images.example.org/d.png',
      'javascript:alert(1)',
      'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=',
      'https://user:pw@images.example.org/d.png',
    ]) {
      renderVoter({ name: 'delegate.eth', avatar });
      await screen.findByRole('heading', { level: 1, name: /delegate\.eth/ });
      expect(screen.queryByRole('img'), avatar).toBeNull();
      cleanup();
      vi.unstubAllGlobals();
    }
    renderVoter(null);
    const heading = await screen.findByRole('heading', { level: 1, name: ADDRESS });
    expect(heading.textContent).toBe(ADDRESS);
    expect(screen.queryByRole('img')).toBeNull();
  });
});
