package io.snowhook.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snowhook.system.PayloadTooLarge;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.util.unit.DataSize;

class BoundedBodyTest {

    static final DataSize LIMIT = DataSize.ofBytes(10);

    @Test
    void readsABodyUpToTheLimit() throws Exception {
        assertThat(BoundedBody.read(request(new byte[10], true), LIMIT)).hasSize(10);
    }

    @Test
    void refusesADeclaredLengthOverTheLimitWithoutReading() {
        MockHttpServletRequest request = request(new byte[11], true);

        assertThatThrownBy(() -> BoundedBody.read(request, LIMIT)).isInstanceOf(PayloadTooLarge.class);
        assertThat(request.getInputStream()).isNotNull();
    }

    @Test
    void cutsOffAChunkedBodyOverTheLimit() {
        MockHttpServletRequest request = request(new byte[1_000_000], false);

        assertThatThrownBy(() -> BoundedBody.read(request, LIMIT)).isInstanceOf(PayloadTooLarge.class);
    }

    @Test
    void readsAChunkedBodyUnderTheLimit() throws Exception {
        assertThat(BoundedBody.read(request(new byte[3], false), LIMIT)).hasSize(3);
    }

    /** A request whose body length is declared, or not (chunked transfer encoding). */
    static MockHttpServletRequest request(byte[] body, boolean declared) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/events") {
            @Override
            public long getContentLengthLong() {
                return declared ? super.getContentLengthLong() : -1;
            }
        };
        request.setContent(body);
        return request;
    }
}
